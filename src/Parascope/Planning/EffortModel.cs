using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Planning;

/// <summary>
/// The plan's effort model (docs/reports.md, "Effort model"): a site costs its rule's `weight` times a factor
/// for the severity the rule gives the target — error 1, warning 0.5 (it works, through a trap or an
/// emulation, and is worth changing), note 0.1 (a look, usually no change). A wrapper is one piece of work
/// for all its callers: its finding lists the call sites as expansions and is counted once, and findings
/// that name the wrapper they go through (Properties["wrapper"] = function name) count once per
/// (rule, wrapper). Units: points, 1 ≈ an ordinary one-line change with its review and test.
/// </summary>
public static class EffortModel
{
    public const int Version = 1;

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
