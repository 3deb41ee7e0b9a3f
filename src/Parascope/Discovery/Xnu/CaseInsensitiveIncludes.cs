using System.Text.RegularExpressions;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// XNU is built on macOS, whose file systems ignore case by default, so an include spelled in the wrong case
/// (libkern's TestSerialization tests: &lt;iokit/IOLib.h&gt; for IOKit/IOLib.h) builds there and fails here. An
/// include that no include root holds as spelled, but one holds in another case, gets a forwarding stand-in
/// under its spelling. Roots: each subsystem folder, EXTERNAL_HEADERS and the stand-in folder; quoted includes
/// also look beside their includer.
/// </summary>
public sealed partial class CaseInsensitiveIncludes
{
    [GeneratedRegex(@"^[ \t]*#[ \t]*(?:include|import)[ \t]*([<""])([^>""\n]+)[>""]", RegexOptions.Multiline)]
    private static partial Regex Include();

    private readonly SortedSet<string> candidates = new(StringComparer.Ordinal);
    private readonly List<string> roots;
    private readonly string standIns;
    private readonly FileInventory files;

    public CaseInsensitiveIncludes(FileInventory files, string root, IReadOnlyList<string> subsystems, string standIns)
    {
        this.files = files;
        this.standIns = standIns;
        roots = [.. subsystems.Select(s => Path.Combine(root, s)), Path.Combine(root, "EXTERNAL_HEADERS"), standIns];
    }

    /// <summary>
    /// The includes of TEXT that could need a stand-in: each name as written, after '"' when quoted, '&lt;' otherwise
    /// (absolute names and names reaching up a folder left out).
    /// </summary>
    public static string[] Spellings(string text)
    {
        if (!text.Contains('#', StringComparison.Ordinal))
        {
            return [];
        }
        var spellings = new List<string>();
        foreach (Match match in Include().Matches(text))
        {
            var name = match.Groups[2].Value.Trim();
            if (name.Length == 0 || name.StartsWith('/') || name.Contains("..", StringComparison.Ordinal))
            {
                continue;
            }
            spellings.Add(match.Groups[1].Value + name);
        }
        return [.. spellings];
    }

    /// <summary>Notes the includes of one source file at PATH (its <see cref="Spellings"/>) that resolve nowhere as spelled.</summary>
    public void Visit(string path, IEnumerable<string> spellings)
    {
        foreach (var spelling in spellings)
        {
            var name = spelling[1..];
            if (spelling[0] == '"' && RegularFiles.Exists(Path.Combine(Path.GetDirectoryName(path)!, name)))
            {
                continue;
            }
            candidates.Add(name);
        }
    }

    /// <summary>Writes (with WRITE) a forwarding stand-in for each include that resolves only case-insensitively.</summary>
    public void Write(Action<string, string> write)
    {
        var unresolved = candidates.Where(name => !roots.Any(r => RegularFiles.Exists(Path.Combine(r, name)))).ToList();
        if (unresolved.Count == 0)
        {
            return;
        }
        // Every file under the roots by its lower-case relative path; the first root (and name) wins, as -I order does.
        var byFolded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in roots.Where(Probe.Folder))
        {
            foreach (var file in StandInFiles.Enumerate(files, folder, "*"))
            {
                byFolded.TryAdd(Path.GetRelativePath(folder, file).Replace('\\', '/').ToLowerInvariant(), file);
            }
        }
        foreach (var name in unresolved)
        {
            if (byFolded.TryGetValue(name.ToLowerInvariant(), out var target))
            {
                write(Path.Combine(standIns, name), $"/* Parascope: <{name}> as macOS's case-insensitive file system resolves it. */\n#include \"{target}\"\n");
            }
        }
    }
}
