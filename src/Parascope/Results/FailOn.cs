using Parascope.Model;

namespace Parascope.Results;

/// <summary>
/// The CI gate: does an active finding at or above the --fail-on level remain (only new ones, with a baseline)?
/// Inactive findings (code this configuration does not compile) are left out, as every count of effort does.
/// </summary>
public static class FailOn
{
    public static int Count(ScanResult result, Severity threshold) =>
        result.Findings.Count(f => f.Active && f.Severity >= threshold && (!result.HasBaseline || f.Baseline == "new"));

    public static bool Fails(ScanResult result, Severity? threshold) => threshold is { } level && Count(result, level) > 0;
}
