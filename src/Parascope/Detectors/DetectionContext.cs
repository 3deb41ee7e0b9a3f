using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Rules;

namespace Parascope.Detectors;

/// <summary>What <see cref="IDetector.Detect"/> sees: every parsed unit with its facts, the rules and the target.</summary>
public sealed class DetectionContext
{
    public required string Root { get; init; }
    public required RuleSet Rules { get; init; }
    public required XenTarget Target { get; init; }
    public required ImmutableArray<ParsedUnit> Units { get; init; }
    public required SourceTexts Texts { get; init; }
    public required FunctionReach Reach { get; init; }
    /// <summary>Every file of the tree, as Discovery found them: detectors never walk the tree themselves.</summary>
    public required Discovery.FileInventory Files { get; init; }

    /// <summary>
    /// The units are another configuration's or board's parses, whose findings count only where those parses compile
    /// them (<see cref="ConfigurationSites.Fold"/> keeps the active ones): the tree's files none of them read, whose
    /// findings are inactive by nature, are left to the scan's own detection (each such sweep reads most of the tree).
    /// </summary>
    public bool CompiledSitesOnly { get; init; }

    /// <summary>How many threads detection may use for work that splits by file (the scan's --jobs).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Every unit's facts of one detector's type, with the unit they came from.</summary>
    public IEnumerable<(ParsedUnit Unit, TFacts Facts)> FactsOf<TFacts>() where TFacts : class, IUnitFacts
    {
        foreach (var unit in Units)
        {
            foreach (var facts in unit.Facts)
            {
                if (facts is TFacts typed)
                {
                    yield return (unit, typed);
                }
            }
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<ParsedUnit, HashSet<(string File, string Function)>> _walked =
        new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// What an AST site found by UNIT at FILE in FUNCTION owes to a header-body walk: the body, when UNIT walked it
    /// (a site in a header body comes from the one unit that walks it, see <see cref="FunctionReach"/>); none for a
    /// site of the unit's own file or of a body it did not walk.
    /// </summary>
    public ImmutableArray<BodyWalk> WalkOf(ParsedUnit unit, string file, string? function)
    {
        if (function is null || file == unit.Unit.RelativePath || unit.Reached.IsEmpty)
        {
            return [];
        }
        var walked = _walked.GetOrAdd(unit, static u => u.Reached.Where(r => r.Walked).Select(r => (r.File, r.Function)).ToHashSet());
        return walked.Contains((file, function)) ? [new BodyWalk(file, function, unit.Unit.Arch, 1)] : [];
    }

    /// <summary>The severity and action of <paramref name="rule"/> for the scan's target.</summary>
    public TargetGuidance Guidance(Rule rule) => rule.For(Target);

    /// <summary>
    /// A finding of RULE at a site: what the rule decides (id, category, arch, class as subcategory) and the target's
    /// guidance (severity, action) filled in once, here; detectors add what the site knows with `with`.
    /// </summary>
    public Finding FindingOf(Rule rule, string file, int line, int column, SourceContext context, string detail)
    {
        var guidance = Guidance(rule);
        return new Finding
        {
            RuleId = rule.Id,
            Category = rule.Category,
            Severity = guidance.Severity,
            File = file,
            Line = line,
            Column = column,
            Arch = rule.Arch,
            Context = context,
            Detail = detail,
            Action = guidance.Action,
            Subcategory = rule.Class,
        };
    }
}
