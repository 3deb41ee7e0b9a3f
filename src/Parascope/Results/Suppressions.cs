using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Parascope.Discovery;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Results;

/// <summary>One line of an ignore file: a path glob, a rule id (or glob, default every rule), a reason.</summary>
public sealed record IgnoreEntry(string PathGlob, string RuleGlob, string Reason, string Origin);

/// <summary>
/// Findings a team has decided to leave: `parascope:ignore RULE-ID reason` in a comment on the finding's line
/// or the line before, or a line of the ignore file (.parascope-ignore at the scanned root, or --ignore-file).
/// Suppressed findings leave the report's list but stay counted (summary.suppressed, SARIF suppressions).
/// This reads source text, it analyses nothing.
/// </summary>
public static partial class Suppressions
{
    public const string DefaultFileName = ".parascope-ignore";
    public const string Marker = "parascope:ignore";

    // The id ends at a space, the end of the line or a closing `*/`: in `/* parascope:ignore */` the `*` is the comment's, not a glob for every rule.
    [GeneratedRegex(@"parascope:ignore\s+(?<rule>[A-Za-z0-9_.*\-]+?)(?=\s|\*/|$)(?<reason>[^\n]*)")]
    private static partial Regex InlineMarker();

    /// <summary>
    /// Parses an ignore file. Each line: `PATH-GLOB [RULE-ID] [reason…]`; `#` starts a comment line;
    /// `**` matches any folders, `*` and `?` stay within a path segment; a rule id may end in `*`.
    /// </summary>
    public static Checked<ImmutableArray<IgnoreEntry>> ParseIgnoreFile(string path)
    {
        if (RegularFiles.Check(path, "ignore file") is { } notAFile)
        {
            return notAFile;
        }
        var entries = ImmutableArray.CreateBuilder<IgnoreEntry>();
        var number = 0;
        foreach (var raw in File.ReadAllLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var parts = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
            entries.Add(new IgnoreEntry(parts[0].TrimStart('/'), parts.Length > 1 ? parts[1] : "*",
                parts.Length > 2 ? parts[2].Trim() : string.Empty, $"{Path.GetFileName(path)}:{number}"));
        }
        return Checked<ImmutableArray<IgnoreEntry>>.Of(entries.ToImmutable());
    }

    /// <summary>Moves suppressed findings from Findings to Suppressed (with their reason).</summary>
    public static ScanResult Apply(ScanResult result, IReadOnlyList<IgnoreEntry> entries)
    {
        var matchers = entries.Select(e => (Entry: e, Path: GlobRegex(e.PathGlob, pathGlob: true), Rule: GlobRegex(e.RuleGlob, pathGlob: false))).ToList();
        var lines = new Dictionary<string, string[]?>(StringComparer.Ordinal);
        var kept = ImmutableArray.CreateBuilder<Finding>();
        var suppressed = result.Suppressed.ToBuilder();
        foreach (var finding in result.Findings)
        {
            var reason = InlineReason(result.Root, finding, lines);
            if (reason is null)
            {
                foreach (var (entry, pathRegex, ruleRegex) in matchers)
                {
                    if (pathRegex.IsMatch(finding.File) && ruleRegex.IsMatch(finding.RuleId))
                    {
                        reason = entry.Reason.Length > 0 ? entry.Reason : entry.Origin;
                        break;
                    }
                }
            }
            if (reason is null)
            {
                kept.Add(finding);
            }
            else
            {
                suppressed.Add(finding with { Suppression = reason });
            }
        }
        var warnings = MarkerWarnings(lines, result.Rules.Select(r => r.Id).ToList()).Where(w => !result.Warnings.Contains(w));
        return result with { Findings = kept.ToImmutable(), Suppressed = suppressed.ToImmutable(), Warnings = result.Warnings.AddRange(warnings) };
    }

    /// <summary>
    /// A `parascope:ignore` in a file with findings that names no rule id, or an id (or glob) no rule has: it
    /// suppresses nothing, and the person who wrote it thinks it does. One warning each, naming file:line.
    /// With no rule set (a result built by hand) only the missing ids are checked.
    /// </summary>
    private static IEnumerable<string> MarkerWarnings(Dictionary<string, string[]?> files, List<string> ruleIds)
    {
        foreach (var (file, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            for (var line = 0; text is not null && line < text.Length; line++)
            {
                for (var at = text[line].IndexOf(Marker, StringComparison.Ordinal); at >= 0;
                     at = text[line].IndexOf(Marker, at + Marker.Length, StringComparison.Ordinal))
                {
                    var match = InlineMarker().Match(text[line], at);
                    if (!match.Success || match.Index != at)
                    {
                        yield return $"{file}:{line + 1}: {Marker} without a rule id suppresses nothing (write: {Marker} RULE-ID reason)";
                        continue;
                    }
                    var rule = match.Groups["rule"].Value;
                    var pattern = GlobRegex(rule, pathGlob: false);
                    if (ruleIds.Count > 0 && !ruleIds.Any(pattern.IsMatch))
                    {
                        yield return $"{file}:{line + 1}: {Marker} names no known rule '{rule}'; it suppresses nothing (see 'parascope rules list')";
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether the text of PATH holds <see cref="Marker"/>, searched in its bytes: in UTF-8 (what a file without a UTF-16
    /// or UTF-32 byte order mark is read as) an ASCII character is its own byte and never part of another character's, so
    /// the text holds the marker exactly when the bytes do. Not decoded into a string: the files with findings of a scan
    /// of xnu-11417 made ~34 MB of strings, a tenth of its large objects, for the few with a marker.
    /// </summary>
    private static bool HasMarker(string path) =>
        RegularFiles.ReadBytes(path, static bytes => Utf16Or32Mark(bytes) ? (bool?)null : bytes.IndexOf(MarkerBytes) >= 0, FileShare.Read)
        ?? RegularFiles.ReadAllText(path).Contains(Marker, StringComparison.Ordinal);

    private static readonly byte[] MarkerBytes = Encoding.UTF8.GetBytes(Marker);

    private static bool Utf16Or32Mark(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]);

    private static string? InlineReason(string root, Finding finding, Dictionary<string, string[]?> cache)
    {
        if (!cache.TryGetValue(finding.File, out var text))
        {
            var path = Path.Combine(root, finding.File);
            try
            {
                // Read as lines only when the file has a marker at all (few do): a file with findings is otherwise read once
                // and searched, not made a string per line (a quarter of a second of every xnu-11417 scan).
                text = RegularFiles.Exists(path) && HasMarker(path) ? RegularFiles.ReadAllLines(path) : null;
            }
            catch (IOException)
            {
                text = null;
            }
            cache[finding.File] = text;
        }
        if (text is null)
        {
            return null;
        }
        for (var line = finding.Line; line >= finding.Line - 1 && line >= 1; line--)
        {
            if (line > text.Length || !text[line - 1].Contains(Marker, StringComparison.Ordinal))
            {
                continue;
            }
            foreach (Match match in InlineMarker().Matches(text[line - 1]))
            {
                if (GlobRegex(match.Groups["rule"].Value, pathGlob: false).IsMatch(finding.RuleId))
                {
                    var reason = match.Groups["reason"].Value.Trim().TrimEnd('/', '*').Trim();
                    return reason.Length > 0 ? reason : "parascope:ignore";
                }
            }
        }
        return null;
    }

    public static Regex GlobRegex(string glob, bool pathGlob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && pathGlob && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                i++;
                if (i + 1 < glob.Length && glob[i + 1] == '/')
                {
                    i++;
                    pattern.Append("(?:.*/)?");
                }
                else
                {
                    pattern.Append(".*");
                }
            }
            else if (c == '*')
            {
                pattern.Append(pathGlob ? "[^/]*" : ".*");
            }
            else if (c == '?')
            {
                pattern.Append(pathGlob ? "[^/]" : ".");
            }
            else
            {
                pattern.Append(Regex.Escape(c.ToString()));
            }
        }
        // A folder name matches everything under it.
        pattern.Append(pathGlob ? "(?:/.*)?$" : "$");
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant);
    }
}
