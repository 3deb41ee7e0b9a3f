namespace Parascope.Model;

/// <summary>What kind of port work a finding is. JSON names: instruction, page-table, driver-api, platform.</summary>
public enum FindingCategory
{
    Instruction,
    PageTable,
    DriverApi,
    /// <summary>What an unmodified kernel expects of the machine it boots on (CPU identity, hypervisor, time sources, firmware).</summary>
    Platform,
}

/// <summary>How much a site matters for the chosen Xen target. Ordered: a higher value is more severe.</summary>
public enum Severity
{
    Note = 1,
    Warning = 2,
    Error = 3,
}

/// <summary>Where the matched text is written. JSON names: c, cxx, inline-asm, asm-file, asm-macro, builtin.</summary>
public enum SourceContext
{
    C,
    Cxx,
    InlineAsm,
    AsmFile,
    AsmMacro,
    Builtin,
}

/// <summary>The Xen guest modes Parascope plans for. JSON/CLI names: xen-pv, xen-pvh, xen-hvm.</summary>
public enum XenTarget
{
    XenPv,
    XenPvh,
    XenHvm,
}

public enum SourceLanguage
{
    C,
    Cxx,
    Assembly,
}

public static class ModelNames
{
    public static string Name(this FindingCategory category) => category switch
    {
        FindingCategory.Instruction => "instruction",
        FindingCategory.PageTable => "page-table",
        FindingCategory.DriverApi => "driver-api",
        FindingCategory.Platform => "platform",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public static string Name(this Severity severity) => severity switch
    {
        Severity.Note => "note",
        Severity.Warning => "warning",
        Severity.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };

    public static string Name(this SourceContext context) => context switch
    {
        SourceContext.C => "c",
        SourceContext.Cxx => "cxx",
        SourceContext.InlineAsm => "inline-asm",
        SourceContext.AsmFile => "asm-file",
        SourceContext.AsmMacro => "asm-macro",
        SourceContext.Builtin => "builtin",
        _ => throw new ArgumentOutOfRangeException(nameof(context)),
    };

    public static string Name(this XenTarget target) => target switch
    {
        XenTarget.XenPv => "xen-pv",
        XenTarget.XenPvh => "xen-pvh",
        XenTarget.XenHvm => "xen-hvm",
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    public static readonly IReadOnlyList<XenTarget> AllTargets = [XenTarget.XenPv, XenTarget.XenPvh, XenTarget.XenHvm];

    public static bool TryParseCategory(string text, out FindingCategory category) =>
        TryParse(text, Enum.GetValues<FindingCategory>(), Name, out category);

    public static bool TryParseSeverity(string text, out Severity severity) =>
        TryParse(text, Enum.GetValues<Severity>(), Name, out severity);

    public static bool TryParseContext(string text, out SourceContext context) =>
        TryParse(text, Enum.GetValues<SourceContext>(), Name, out context);

    public static bool TryParseTarget(string text, out XenTarget target) =>
        TryParse(text, Enum.GetValues<XenTarget>(), Name, out target);

    private static bool TryParse<T>(string text, T[] values, Func<T, string> name, out T result) where T : struct
    {
        foreach (var value in values)
        {
            if (string.Equals(name(value), text, StringComparison.OrdinalIgnoreCase))
            {
                result = value;
                return true;
            }
        }
        result = default;
        return false;
    }
}
