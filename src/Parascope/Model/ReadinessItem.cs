using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>
/// One line of the HVM readiness summary: a platform item (a gate, a time source, a device) at its site, with its
/// verdict for an unmodified HVM boot and what the machine must present (<see cref="Values"/>) or else meets
/// (<see cref="Otherwise"/>). <see cref="Sites"/> counts the item's sites when the rule is one item (per: rule).
/// </summary>
public sealed record ReadinessItem(string Item, string RuleId, string File, int Line, string? Function, string Verdict, string Phase)
{
    public ImmutableArray<string> Values { get; init; } = [];
    public string? Otherwise { get; init; }
    public int Sites { get; init; } = 1;
    /// <summary>Calls from the boot entry points to the function (null when the graph does not reach it).</summary>
    public int? BootDistance { get; init; }

    /// <summary>Verdicts in the order the summary groups them: what blocks, what needs a shim or a driver, what works.</summary>
    public static int RankOf(string verdict) => Finding.Verdicts.IndexOf(verdict) is var i and >= 0 ? i : Finding.Verdicts.Length;
}
