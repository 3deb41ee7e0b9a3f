using System.Collections.Immutable;

namespace Parascope.Discovery;

/// <summary>
/// What clang's flags say about where files come from, in one place: the folders of the include search, the other places
/// a header may be looked for, and the flags whose value is a file or a folder (made absolute from a compile_commands.json
/// entry's directory, checked by the result cache for a unit that stopped at a missing header).
/// </summary>
public static class IncludeFlags
{
    /// <summary>Flags that add a folder to the include search, written separate (`-I DIR`); `-I` also joined (`-IDIR`).</summary>
    private static readonly string[] SearchFolderFlags = ["-I", "-iquote", "-isystem", "-idirafter"];

    /// <summary>Flags that add places to look for headers beyond <see cref="SearchFolders"/> (frameworks, a sysroot, prefixes, a VFS, `-I-`).</summary>
    public static readonly ImmutableArray<string> OtherSearches =
        ["-F", "-iframework", "-isysroot", "--sysroot", "-iprefix", "-iwithprefix", "-iwithsysroot", "-ivfsoverlay", "-cxx-isystem", "-I-"];

    /// <summary>Flags whose next word is a file or a folder (not `-iprefix`/`-iwithprefix`, whose values are joined to each other).</summary>
    public static readonly ImmutableHashSet<string> PathFlags = ImmutableHashSet.Create(StringComparer.Ordinal,
        [.. SearchFolderFlags, "-include", "-imacros", "-include-pch", "-F", "-iframework", "-isysroot", "--sysroot", "-ivfsoverlay", "-cxx-isystem"]);

    /// <summary>Flags written joined to their folder (`-I./include`, `-F./Frameworks`, `--sysroot=/sdk`).</summary>
    public static readonly ImmutableArray<string> JoinedPathFlags = ["--sysroot=", "-I", "-F"];

    /// <summary>The joined path flag WORD starts with (`-I` of `-I./include`), or null; `-I-`, the old quote/angle split, names no folder.</summary>
    public static string? JoinedFlagOf(string word) =>
        word == "-I-" ? null : JoinedPathFlags.FirstOrDefault(flag => word.Length > flag.Length && word.StartsWith(flag, StringComparison.Ordinal));

    /// <summary>Whether ARGUMENT is one of <see cref="OtherSearches"/>, separate or joined.</summary>
    public static bool IsOtherSearch(string argument) =>
        OtherSearches.Any(flag => argument == flag || flag != "-I-" && argument.StartsWith(flag, StringComparison.Ordinal));

    /// <summary>The folders a unit's flags add to the include search, in order (-I, -iquote, -isystem, -idirafter; -I joined too).</summary>
    public static IEnumerable<string> SearchFolders(ImmutableArray<string> arguments)
    {
        for (var i = 0; i < arguments.Length; i++)
        {
            if (SearchFolderFlags.Contains(arguments[i]) && i + 1 < arguments.Length)
            {
                yield return arguments[++i];
            }
            else if (JoinedFlagOf(arguments[i]) == "-I")
            {
                yield return arguments[i][2..];
            }
        }
    }
}
