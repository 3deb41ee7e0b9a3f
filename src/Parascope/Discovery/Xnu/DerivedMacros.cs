using System.Text.RegularExpressions;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// The macros the tree's headers define in terms of others. xnu-11417's osfmk/vm/vm_compressor_internal.h defines
/// CHECKSUM_THE_COMPRESSED_DATA inside `#if DEBUG`; osfmk/arm64/proc_reg.h defines __ARM_PTE_PHYSMAP__ inside
/// `#if XNU_MONITOR`. A file whose own #if lines test only the derived name takes other branches in a configuration
/// (or on a board) that changes the name it derives from, so the decision to parse a unit again must see through
/// them: <see cref="Closure"/> adds to a set of varied macros every macro defined under a condition naming one of
/// them, or (object-like) with a body naming one, to a fixpoint. Read lexically, once, over every header of the
/// kernel's subsystems; include guards add edges too, but from names no configuration varies.
/// </summary>
internal sealed partial class DerivedMacros
{
    /// <summary>Macro → the macros some header defines under a condition on it or as an expression of it.</summary>
    private readonly Dictionary<string, HashSet<string>> _dependents;

    private DerivedMacros(Dictionary<string, HashSet<string>> dependents) => _dependents = dependents;

    /// <summary>
    /// The edges of every header the FILES list holds in the given subsystems (each header's <see cref="SourceScan"/>
    /// from SCANS); an unreadable header adds nothing.
    /// </summary>
    public static DerivedMacros Read(FileInventory files, IReadOnlyCollection<string> subsystems, SourceScans scans)
    {
        var dependents = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var relative in files.RelativePaths)
        {
            if (!relative.EndsWith(".h", StringComparison.Ordinal) || !subsystems.Contains(Model.Subsystems.Of(relative)))
            {
                continue;
            }
            if (scans.Of(files.AbsolutePath(relative)) is { } scan)
            {
                Add(scan.Derived, dependents);
            }
        }
        return new DerivedMacros(dependents);
    }

    /// <summary>The edges of one header's text (also what tests use).</summary>
    internal static DerivedMacros Of(params string[] texts)
    {
        var dependents = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            Add(Edges(text), dependents);
        }
        return new DerivedMacros(dependents);
    }

    private static void Add(string[] edges, Dictionary<string, HashSet<string>> dependents)
    {
        for (var i = 0; i < edges.Length; i += 2)
        {
            if (!dependents.TryGetValue(edges[i], out var set))
            {
                dependents[edges[i]] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set.Add(edges[i + 1]);
        }
    }

    /// <summary>VARIED with every macro derived from one of them, to a fixpoint.</summary>
    public HashSet<string> Closure(IEnumerable<string> varied)
    {
        var closure = new HashSet<string>(varied, StringComparer.Ordinal);
        var pending = new Stack<string>(closure);
        while (pending.TryPop(out var name))
        {
            if (!_dependents.TryGetValue(name, out var derived))
            {
                continue;
            }
            foreach (var macro in derived)
            {
                if (closure.Add(macro))
                {
                    pending.Push(macro);
                }
            }
        }
        return closure;
    }

    // Source-generated: every header of the kernel's subsystems is read with these on each scan that discovers.
    [GeneratedRegex(@"^[ \t]*#[ \t]*(\w+)(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Directive();

    [GeneratedRegex(@"\b[A-Za-z_]\w*", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"/\*.*?\*/|//.*$", RegexOptions.CultureInvariant)]
    private static partial Regex Comment();

    /// <summary>One header's edges, in pairs: a macro, then one macro the text defines under a condition on it or as an expression of it.</summary>
    internal static string[] Edges(string text)
    {
        var edges = new List<string>();
        var seen = new HashSet<(string, string)>();
        // The names each open conditional's branches test so far (an #elif depends on the conditions before it too).
        var open = new List<HashSet<string>>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + lines[++i].TrimEnd('\r');
            }
            // Only a line with a `#` can be a directive: most of a header's lines are not.
            if (!line.Contains('#'))
            {
                continue;
            }
            var match = Directive().Match(line);
            if (!match.Success)
            {
                continue;
            }
            var argument = match.Groups[2].Value is var rest && rest.Contains('/') ? Comment().Replace(rest, " ") : rest;
            switch (match.Groups[1].Value)
            {
                case "if" or "ifdef" or "ifndef":
                    open.Add(Names(argument));
                    break;
                case "elif" or "elifdef" or "elifndef" when open.Count > 0:
                    open[^1].UnionWith(Names(argument));
                    break;
                case "endif" when open.Count > 0:
                    open.RemoveAt(open.Count - 1);
                    break;
                case "define":
                    var name = Identifier().Match(argument);
                    if (!name.Success)
                    {
                        break;
                    }
                    var sources = open.SelectMany(names => names).ToHashSet(StringComparer.Ordinal);
                    var afterName = name.Index + name.Length;
                    if (afterName >= argument.Length || argument[afterName] != '(')
                    {
                        // An object-like macro's value is its body's: `#define MACH_ASSERT_ENABLED DEBUG`.
                        sources.UnionWith(Names(argument[afterName..]));
                    }
                    sources.Remove(name.Value);
                    foreach (var source in sources)
                    {
                        if (seen.Add((source, name.Value)))
                        {
                            edges.Add(source);
                            edges.Add(name.Value);
                        }
                    }
                    break;
            }
        }
        return [.. edges];
    }

    private static HashSet<string> Names(string expression)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match name in Identifier().Matches(expression))
        {
            if (name.Value != "defined")
            {
                names.Add(name.Value);
            }
        }
        return names;
    }
}
