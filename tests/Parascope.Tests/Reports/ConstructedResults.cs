using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Tests.Reports;

/// <summary>Scan results built by hand, for report tests that need exact control over the findings.</summary>
public static class ConstructedResults
{
    public static Rule Rule(string id, FindingCategory category, double weight, Severity pv, Severity pvh, Severity hvm) => new()
    {
        Id = id,
        Category = category,
        Title = id + " title",
        Description = id + " description",
        Arch = "x86",
        Match = RuleMatch.Empty,
        Weight = weight,
        Origin = "test",
        Targets = ImmutableSortedDictionary.CreateRange(new Dictionary<XenTarget, TargetGuidance>
        {
            [XenTarget.XenPv] = new(pv, "pv action"),
            [XenTarget.XenPvh] = new(pvh, "pvh action"),
            [XenTarget.XenHvm] = new(hvm, "hvm action"),
        }),
    };

    public static Finding Finding(string rule, string file, int line, string? function, FindingCategory category = FindingCategory.Instruction,
        Severity severity = Severity.Error, bool active = true) => new()
        {
            RuleId = rule,
            Category = category,
            Severity = severity,
            File = file,
            Line = line,
            Column = 1,
            Function = function,
            Arch = "x86",
            Context = SourceContext.InlineAsm,
            Active = active,
            Detail = $"{rule} at {line}",
            Action = "do it",
            Fingerprint = $"{rule}-{file}-{line}",
            Arches = ["x86_64"],
        };

    public static ScanResult Result(IEnumerable<Finding> findings, IEnumerable<Rule>? rules = null) => new()
    {
        ToolVersion = "0.1.0",
        Root = "/tmp/parascope-constructed",
        Arches = ["x86_64"],
        Target = XenTarget.XenPv,
        Profile = "generic",
        Health = new ParseHealth { Counts = new UnitCounts(3, 3, 0, 0) },
        DurationMs = 0,
        Findings = [.. findings.OrderBy(f => f, Model.Finding.ReportOrder)],
        Rules = [.. (rules ?? [])],
    };
}
