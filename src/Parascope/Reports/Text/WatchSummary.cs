using System.Globalization;
using Parascope.Files;
using Parascope.Model;
using Parascope.Results;

namespace Parascope.Reports.Text;

/// <summary>
/// What `parascope scan --watch` says on stderr after each scan it makes on a change: what changed, how long the scan
/// took and how many units it parsed, and the findings that appeared, went or moved since the scan before (by
/// fingerprint, as `parascope diff` matches them, so lines shifted by an edit above them are not changes).
/// </summary>
public static class WatchSummary
{
    /// <summary>Sites listed after the summary line; the rest are counted (`parascope diff` of two reports lists them all).</summary>
    public const int SitesListed = 20;

    /// <param name="previous">The scan before.</param>
    /// <param name="current">The scan made on the change.</param>
    /// <param name="changed">What changed, root-relative (<see cref="TreeWatch.NextChange"/>).</param>
    /// <param name="took">The scan's time, its reports written.</param>
    /// <param name="unitsParsed">Units parsed rather than read from the result cache (null: no cache).</param>
    public static IReadOnlyList<string> Lines(ScanResult previous, ScanResult current, IReadOnlyList<string> changed, TimeSpan took, int? unitsParsed)
    {
        var (appeared, gone, moved) = ReportDiff.SitesOf(previous, current);
        var parsed = unitsParsed is { } n ? $" ({n} {(n == 1 ? "unit" : "units")} parsed)" : "";
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"parascope: watch: {Changed(changed)}; scanned again in {took.TotalSeconds:F2} s{parsed}: {current.Findings.Length:N0} findings, {appeared.Length} new, {gone.Length} gone, {moved.Length} moved"),
        };
        var sites = appeared.Select(s => $"  new   {s.RuleId} {s.File}:{s.Line}{In(s.Function)}")
            .Concat(gone.Select(s => $"  gone  {s.RuleId} {s.File}:{s.Line}{In(s.Function)}"))
            .Concat(moved.Select(m => $"  moved {m.New.RuleId} {m.Old.File}:{m.Old.Line} -> {m.New.File}:{m.New.Line}{In(m.New.Function)}"))
            .ToList();
        lines.AddRange(sites.Take(SitesListed));
        if (sites.Count > SitesListed)
        {
            lines.Add($"  … and {sites.Count - SitesListed} more (compare two reports with 'parascope diff' for all of them)");
        }
        return lines;
    }

    private static string Changed(IReadOnlyList<string> changed) => changed switch
    {
        [] => "nothing changed",
        _ when changed.Contains(TreeWatch.Everything) => "the tree changed (the system dropped its events)",
        [var one] => $"{one} changed",
        [var first, ..] => $"{first} and {changed.Count - 1} more changed",
    };

    private static string In(string? function) => function is null ? "" : $" in {function}";
}
