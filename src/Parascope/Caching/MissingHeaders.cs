using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Discovery;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Caching;

/// <summary>
/// Where a unit that stopped at a missing header would find it if it were created: each missing header's name joined
/// to every folder its include looks in. libclang goes on after a missing `#include` (KeepGoing) and reports it as
/// "'NAME' file not found" at the including line; the lookup searches the includer's own folder (a quoted include) and
/// the folders the flags add (-iquote, -I, -isystem, -idirafter), nothing else when the flags say `-nostdinc`. So with
/// every file the unit read unchanged (its manifest) and none of these paths there, the unit parses as it did: its facts
/// may be kept like any other unit's. A unit whose lookups could reach anywhere else (no `-nostdinc`, frameworks, a
/// sysroot, prefixes, a VFS overlay, a header map, a missing `-include` file) or with a fatal error of another kind is
/// not kept: it is parsed again by every scan. The whole-scan entry trusts such units by the tree's listing instead
/// (ScanPipeline.KeepsWholeScan).
/// </summary>
public static class MissingHeaders
{
    /// <summary>
    /// The paths where the headers UNIT's ERRORS say are missing would be found if created (absolute), none when no header
    /// is missing; null when its errors hold another fatal kind or its lookups could reach beyond those paths.
    /// </summary>
    public static ImmutableArray<string>? Candidates(SourceUnit unit, ImmutableArray<ParseDiagnostic> errors)
    {
        var missing = new List<(string Name, string Includer)>();
        foreach (var error in errors.Where(ParsedUnit.IsFatal))
        {
            if (MissingName(error.Message) is not { } name || !Path.IsPathRooted(error.File))
            {
                return null;
            }
            missing.Add((name, Path.GetDirectoryName(error.File)!));
        }
        if (missing.Count == 0)
        {
            return [];
        }
        var arguments = unit.Arguments;
        // A forced include (-include) that is missing is reported at no file of the tree: not rooted, refused above.
        if (!arguments.Contains("-nostdinc")
            || arguments.Any(IncludeFlags.IsOtherSearch))
        {
            return null;
        }
        List<string> folders = [.. IncludeFlags.SearchFolders(arguments)];
        // A relative folder resolves from the unit's working directory; without one, from wherever the scan runs.
        if (folders.Any(folder => folder.EndsWith(".hmap", StringComparison.Ordinal) || !Path.IsPathRooted(folder) && unit.WorkingDirectory is null))
        {
            return null;
        }
        folders = [.. folders.Select(folder => Path.GetFullPath(folder, unit.WorkingDirectory ?? "/"))];
        return [.. missing.SelectMany(m => folders.Prepend(m.Includer).Select(folder => Path.GetFullPath(m.Name, folder)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Whether nothing (file, folder or link, even a dangling one) is at any of PATHS now.</summary>
    public static bool NoneThere(ImmutableArray<string> paths) =>
        paths.All(path => !Path.Exists(path) && new FileInfo(path).LinkTarget is null);

    /// <summary>NAME of an "'NAME' file not found" message, else null.</summary>
    private static string? MissingName(string message)
    {
        const string Suffix = "' file not found";
        return message.Length > Suffix.Length + 1 && message[0] == '\'' && message.EndsWith(Suffix, StringComparison.Ordinal)
            ? message[1..^Suffix.Length]
            : null;
    }
}
