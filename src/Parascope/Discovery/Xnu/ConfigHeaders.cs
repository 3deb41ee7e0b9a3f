using System.Collections.Immutable;
using System.Text;
using static Parascope.Discovery.Xnu.StandInFiles;

namespace Parascope.Discovery.Xnu;

/// <summary>XNU's config step emulated: each configuration's option headers, meta_features.h and the prelude every unit includes first.</summary>
public static class ConfigHeaders
{
    /// <summary>One configuration's folder (first on the include path, as a build's "-I." object folder) and its prelude.</summary>
    /// <param name="MetaFolders">Per subsystem, a folder holding its own meta_features.h (first on the path).</param>
    public sealed record ConfigFolder(string Folder, string Prelude, ImmutableSortedDictionary<string, string> MetaFolders);

    /// <summary>The force-included prelude: what upstream clang lacks of Apple's clang.</summary>
    public const string PreludeName = "parascope-xnu-prelude.h";

    /// <summary>
    /// kalloc_type/kfree_type (xnu-8019 and later) use three Apple-clang-only builtins that take a type; as macros
    /// they keep every allocation site parseable (the static assertions they feed hold trivially).
    /// Apple's clang announces its pointer-authentication intrinsics as __PTRAUTH_INTRINSICS__, which the tree's
    /// EXTERNAL_HEADERS/ptrauth.h tests; upstream clang names the same -fptrauth-intrinsics __PTRAUTH__. Without the
    /// alias an arm64e unit takes ptrauth.h's no-op branch, whose ptrauth_string_discriminator is a statement
    /// expression, while base.h's __has_feature(ptrauth_calls) still puts it inside __ptrauth qualifiers at file scope.
    /// Apple's __ptrauth also takes a fourth argument, an options string (base.h's OS_PTRAUTH_SIGNED_PTR_AUTH_NULL:
    /// "authenticates-null-values", which changes only the code generated); upstream clang takes three, so the macro
    /// drops the options (a macro does not expand inside its own body: the result is the qualifier itself).
    /// </summary>
    private const string Prelude = Banner +
        "#define __builtin_xnu_types_compatible(a, b) 1\n" +
        "#define __builtin_xnu_type_summary(t) 0U\n" +
        "#define __builtin_xnu_type_signature(t) \"\"\n" +
        "#if defined(__PTRAUTH__) && !defined(__PTRAUTH_INTRINSICS__)\n" +
        "#define __PTRAUTH_INTRINSICS__ 1\n" +
        "#define __ptrauth(key, address, discriminator, ...) __ptrauth(key, address, discriminator)\n" +
        "#endif\n";

    /// <summary>Config headers that no conf/files OPTIONS line names but units include (value: the option's selection).</summary>
    private static readonly string[] ExtraOptionHeaders = ["debug"];

    /// <summary>
    /// The config step's output for one configuration: option headers, meta_features.h and the prelude, in a folder
    /// of its own (RELEASE: config/, others: config-NAME/) so units parsed in different configurations never share one.
    /// </summary>
    public static ConfigFolder Write(XnuConfig config, string cache)
    {
        var configFolder = Path.Combine(cache, config.Name == XnuConfig.Release ? "config" : "config-" + config.Name.ToLowerInvariant());
        Directory.CreateDirectory(configFolder);
        WriteIfChanged(Path.Combine(configFolder, PreludeName), Prelude);

        var meta = new StringBuilder(Banner);
        foreach (var (file, (macro, value)) in config.OptionHeaders)
        {
            WriteIfChanged(Path.Combine(configFolder, file), $"{Banner}#define {macro} {value}\n");
            meta.Append("#include <").Append(file).Append(">\n");
        }
        foreach (var extra in ExtraOptionHeaders.Where(e => !config.OptionHeaders.ContainsKey(e + ".h")))
        {
            var macro = extra.ToUpperInvariant();
            WriteIfChanged(Path.Combine(configFolder, extra + ".h"), $"{Banner}#define {macro} {(config.Selected.Contains(macro) ? 1 : 0)}\n");
        }
        WriteIfChanged(Path.Combine(configFolder, "meta_features.h"), meta.ToString());
        // config's mkmakefile writes confdep.h only when MASTER selects a maxusers line (bsd/conf/param.c:
        // NPROC = 20 + 16 * MAXUSERS); otherwise the stand-ins' empty confdep.h, later on the path, is found.
        var confdep = Path.Combine(configFolder, "confdep.h");
        if (config.MaxUsers is { } maxUsers)
        {
            WriteIfChanged(confdep, $"{Banner}#define MAXUSERS {maxUsers}\n");
        }
        else if (File.Exists(confdep))
        {
            File.Delete(confdep);
        }
        // Each subsystem's meta_features.h includes only the option headers of its own lists, as each subsystem's
        // config run writes its own. Old trees keep one configuration per subsystem (XnuConfig.BySubsystem).
        var metaFolders = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var perSubsystem = config.HeadersBySubsystem.Select(h => (Subsystem: h.Key, Headers: h.Value))
            .Concat(config.BySubsystem.SelectMany(b => b.Value.HeadersBySubsystem.Where(h => h.Key == b.Key).Select(h => (Subsystem: h.Key, Headers: h.Value))))
            .GroupBy(h => h.Subsystem, StringComparer.Ordinal);
        foreach (var group in perSubsystem)
        {
            var folder = Path.Combine(configFolder, "meta", group.Key);
            Directory.CreateDirectory(folder);
            var own = group.Last().Headers;
            WriteIfChanged(Path.Combine(folder, "meta_features.h"), Banner + string.Concat(own.Select(h => $"#include <{h}>\n")));
            metaFolders[group.Key] = folder;
        }
        return new ConfigFolder(configFolder, Path.Combine(configFolder, PreludeName), metaFolders.ToImmutable());
    }
}
