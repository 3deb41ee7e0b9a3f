using System.Text.RegularExpressions;
using Parascope.Model;

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
    /// <summary>
    /// `todo-expect: ID` — a known miss (Semgrep's todoruleid): should be reported but is not yet. The harness fails
    /// once the detector finds it, so that the marker becomes an `expect:`.
    /// </summary>
    KnownMiss,
}

/// <summary>
/// Semgrep-style annotations in fixture sources: `// expect: x86.cli` (or `# expect:`, `; expect:` in assembly;
/// also `expect-inactive:`, `ok:` and `todo-expect:`)
/// alone on a line applies to the next line that is not an annotation; at the end of a line it applies to that line.
/// Several ids may be given, separated by commas.
/// </summary>
public static partial class FixtureExpectations
{
    [GeneratedRegex(@"(?://|/\*|#|;|@)\s*(?<kind>todo-expect|expect-inactive|expect|ok):\s*(?<ids>[a-z0-9_.\-]+(?:\s*,\s*[a-z0-9_.\-]+)*)")]
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
                        "todo-expect" => ExpectationKind.KnownMiss,
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

    /// <summary>
    /// What is wrong with <paramref name="findings"/> against <paramref name="expectations"/>: each expected finding must
    /// be reported at its line, nothing marked ok or todo-expect may be, and every finding must be expected.
    /// </summary>
    public static List<string> Problems(IReadOnlyList<Expectation> expectations, IReadOnlyList<Finding> findings)
    {
        var problems = new List<string>();
        foreach (var expected in expectations)
        {
            var at = findings.Where(f => f.File == expected.File && f.Line == expected.Line && f.RuleId == expected.RuleId).ToList();
            switch (expected.Kind)
            {
                case ExpectationKind.Active when !at.Any(f => f.Active):
                    problems.Add($"missed: {expected.File}:{expected.Line} {expected.RuleId}");
                    break;
                case ExpectationKind.Inactive when !at.Any(f => !f.Active):
                    problems.Add($"missed inactive: {expected.File}:{expected.Line} {expected.RuleId}");
                    break;
                case ExpectationKind.Absent when at.Count > 0:
                    problems.Add($"false positive (marked ok): {expected.File}:{expected.Line} {expected.RuleId}");
                    break;
                case ExpectationKind.KnownMiss when at.Count > 0:
                    problems.Add($"known miss now found: {expected.File}:{expected.Line} {expected.RuleId} (make its todo-expect: an expect:)");
                    break;
            }
        }
        foreach (var finding in findings)
        {
            var annotated = expectations.Any(e => e.Kind != ExpectationKind.Absent && e.File == finding.File && e.Line == finding.Line && e.RuleId == finding.RuleId);
            if (!annotated)
            {
                problems.Add($"unexpected: {finding.File}:{finding.Line}:{finding.Column} {finding.RuleId} ({finding.Detail})");
            }
        }
        return problems;
    }
}
