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
    /// </summary>
    private const string Prelude = Banner +
        "#define __builtin_xnu_types_compatible(a, b) 1\n" +
        "#define __builtin_xnu_type_summary(t) 0U\n" +
        "#define __builtin_xnu_type_signature(t) \"\"\n";

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
