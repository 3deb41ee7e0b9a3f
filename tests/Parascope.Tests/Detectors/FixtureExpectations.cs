using System.Text.RegularExpressions;

namespace Parascope.Tests.Detectors;

/// <summary>One annotation in a fixture: a rule that must (or must not) be reported at a line.</summary>
public sealed record Expectation(string File, int Line, string RuleId, ExpectationKind Kind);

public enum ExpectationKind
{
    /// <summary>`expect: ID` — reported, active.</summary>
    Active,
    /// <summary>`expect-inactive: ID` — reported with active: false.</summary>
    Inactive,
    /// <summary>`ok: ID` — must not be reported.</summary>
    Absent,
}

/// <summary>
/// Semgrep-style annotations in fixture sources: `// expect: x86.cli` (or `# expect:`, `; expect:` in assembly)
/// alone on a line applies to the next line that is not an annotation; at the end of a line it applies to that line.
/// Several ids may be given, separated by commas.
/// </summary>
public static partial class FixtureExpectations
{
    [GeneratedRegex(@"(?://|/\*|#|;|@)\s*(?<kind>expect-inactive|expect|ok):\s*(?<ids>[a-z0-9_.\-]+(?:\s*,\s*[a-z0-9_.\-]+)*)")]
    private static partial Regex Annotation();

    public static List<Expectation> Read(string root)
    {
        var result = new List<Expectation>();
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            var lines = File.ReadAllLines(path);
            var pending = new List<(string Id, ExpectationKind Kind)>();
            for (var i = 0; i < lines.Length; i++)
            {
                var match = Annotation().Match(lines[i]);
                if (match.Success)
                {
                    var kind = match.Groups["kind"].Value switch
                    {
                        "expect" => ExpectationKind.Active,
                        "expect-inactive" => ExpectationKind.Inactive,
                        _ => ExpectationKind.Absent,
                    };
                    var ids = match.Groups["ids"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    var alone = lines[i][..match.Index].Trim().Length == 0;
                    if (alone)
                    {
                        pending.AddRange(ids.Select(id => (id, kind)));
                        continue;
                    }
                    result.AddRange(ids.Select(id => new Expectation(relative, i + 1, id, kind)));
                }
                if (pending.Count > 0 && lines[i].Trim().Length > 0)
                {
                    result.AddRange(pending.Select(p => new Expectation(relative, i + 1, p.Id, p.Kind)));
                    pending.Clear();
                }
            }
        }
        return result;
    }
}
