using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Planning;

/// <summary>
/// The plan's effort model (docs/reports.md, "Effort model"). Version 2 counts work items (<see cref="WorkPlan"/>), not
/// sites. A site's cost is its rule's `weight` times a factor for the severity the rule gives the target — error 1,
/// warning 0.5 (it works, through a trap or an emulation, and is worth changing), note 0.1 (a look, usually no change).
/// A hook costs its costliest change once (its implementation; a hook a present layer function covers is implemented
/// by re-implementing that function, which costs its costliest covered hook once), plus each scattered site's cost
/// (routing it through the hook); a driver family costs each rule its drivers hit once (the front end replaces that
/// kind of hardware access); a change no hook or family takes costs its own; a use costs nothing.
/// Units: points, 1 ≈ an ordinary one-line change with its review and test.
/// </summary>
public static class EffortModel
{
    public const int Version = 2;

    public static double Factor(Severity severity) => severity switch
    {
        Severity.Error => 1.0,
        Severity.Warning => 0.5,
        _ => 0.1,
    };

    /// <summary>The severity the rule gives <paramref name="target"/>; the finding's own when the rule is unknown.</summary>
    public static Severity SeverityFor(Finding finding, XenTarget target, XenTarget scanned, IReadOnlyDictionary<string, Rule> rules) =>
        rules.TryGetValue(finding.RuleId, out var rule) && rule.Targets.TryGetValue(target, out var guidance)
            ? guidance.Severity
            : finding.Severity;

    /// <summary>A site's cost for <paramref name="target"/>: weight × factor, exact (decimal) so that sums of items and slices agree.</summary>
    public static decimal Cost(Finding finding, XenTarget target, XenTarget scanned, IReadOnlyDictionary<string, Rule> rules) =>
        (decimal)WeightOf(finding, rules) * (decimal)Factor(SeverityFor(finding, target, scanned, rules));

    /// <summary>A rule's cost for <paramref name="target"/> with no site: weight × factor of the rule's severity there (error when it names none).</summary>
    public static decimal RuleCost(Rule rule, XenTarget target) =>
        (decimal)rule.Weight * (decimal)Factor(rule.Targets.TryGetValue(target, out var guidance) ? guidance.Severity : Severity.Error);

    public static double WeightOf(Finding finding, IReadOnlyDictionary<string, Rule> rules) =>
        rules.TryGetValue(finding.RuleId, out var rule) ? rule.Weight : 1.0;

    /// <summary>A wrapper's own finding: the page-table detector's subcategory, or a detector's Properties["wrapper"]="true".</summary>
    public static bool IsWrapper(Finding finding) =>
        finding.Subcategory == "wrapper"
        || (finding.Properties.TryGetValue("wrapper", out var value) && value == "true");

    /// <summary>
    /// The piece of work a finding belongs to: a call through a named wrapper shares its wrapper's piece;
    /// every other finding (a wrapper included, whose callers are expansions) is its own.
    /// </summary>
    public static string WorkItem(Finding finding) =>
        finding.Properties.TryGetValue("wrapper", out var wrapper) && wrapper != "true" && wrapper.Length > 0
            ? $"wrapper\u0000{finding.RuleId}\u0000{wrapper}"
            : $"site\u0000{finding.Fingerprint}\u0000{finding.File}\u0000{finding.Line}\u0000{finding.Column}\u0000{finding.RuleId}";
}
