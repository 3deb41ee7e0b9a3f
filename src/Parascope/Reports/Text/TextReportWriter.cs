using Parascope.Results;
using Parascope.Model;

namespace Parascope.Reports.Text;

/// <summary>
/// The console report: a table of sites by subsystem and category, then findings grouped by file. ANSI
/// colours only when asked (the CLI asks when stdout is a terminal and NO_COLOR is unset).
/// </summary>
public static class TextReportWriter
{
    private const string Reset = "\u001b[0m";
    private const string Bold = "\u001b[1m";
    private const string Dim = "\u001b[2m";
    private const string Red = "\u001b[31m";
    private const string Yellow = "\u001b[33m";
    private const string Cyan = "\u001b[36m";

    public static void Write(ScanResult result, TextWriter output, bool colour = false)
    {
        string Paint(string code, string text) => colour ? code + text + Reset : text;

        var counts = result.Health.Counts;
        output.WriteLine($"parascope {result.ToolVersion}: {result.Root} ({string.Join(", ", result.Arches)}; target {result.Target.Name()}; profile {result.Profile})");
        if (result.Libclang is { } libclang)
        {
            output.WriteLine($"libclang: {libclang.Describe()}");
        }
        output.WriteLine($"units: {counts.Total} total, {counts.Parsed - counts.WithErrors} clean, {counts.WithErrors} with errors, {counts.Failed} failed"
            + (counts.InBuild is { } inBuild && inBuild.Total != counts.Total
                ? $" ({counts.Total - inBuild.Total} in no build configuration; of the {inBuild.Total} built, {inBuild.Parsed - inBuild.WithErrors} clean)"
                : string.Empty));
        var summary = Summary.Of(result.Findings);
        output.WriteLine($"findings: {summary.Total} ({summary.Active} active, {summary.Inactive} inactive)" +
                         (result.Suppressed.IsEmpty ? string.Empty : $", {result.Suppressed.Length} suppressed") +
                         (result.HasBaseline
                             ? $"; baseline: {result.Findings.Count(f => f.Baseline == "new")} new, {result.Findings.Count(f => f.Baseline == "unchanged")} unchanged, {result.FixedSinceBaseline} fixed"
                             : string.Empty));
        foreach (var (category, count) in summary.ByCategory)
        {
            output.WriteLine($"  {category,-12} {count,6}");
        }
        WriteTable(result, output, Paint);
        foreach (var group in result.Findings.GroupBy(f => f.File))
        {
            output.WriteLine();
            output.WriteLine(Paint(Bold, group.Key));
            foreach (var finding in group)
            {
                var where = finding.Function is null ? string.Empty : $" in {finding.Function}";
                var inactive = finding.Active ? string.Empty : " [inactive]";
                var isNew = finding.Baseline == "new" ? " [new]" : string.Empty;
                var severity = finding.Severity switch
                {
                    Severity.Error => Paint(Red, "error"),
                    Severity.Warning => Paint(Yellow, "warning"),
                    _ => Paint(Cyan, "note"),
                };
                output.WriteLine($"  {finding.Line}:{finding.Column} {severity} {finding.RuleId}{where}{inactive}{isNew}: {finding.Detail}");
                output.WriteLine(Paint(Dim, $"      → {finding.Action}"));
            }
        }
        ReportWarnings.Text(result, output);
    }

    /// <summary>Sites per subsystem (rows) and category (columns), with totals.</summary>
    private static void WriteTable(ScanResult result, TextWriter output, Func<string, string, string> paint)
    {
        if (result.Findings.IsEmpty)
        {
            return;
        }
        var categories = result.Findings.Select(f => f.Category).Distinct().Order().ToList();
        var subsystems = result.Findings.GroupBy(f => Subsystems.Of(f.File), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var width = Math.Max(9, subsystems.Max(g => g.Key.Length));
        output.WriteLine();
        var header = $"{"subsystem".PadRight(width)} " + string.Join(" ", categories.Select(c => c.Name().PadLeft(11))) + $" {"total",7}";
        output.WriteLine(paint(Bold, header));
        foreach (var subsystem in subsystems)
        {
            output.WriteLine($"{subsystem.Key.PadRight(width)} " +
                             string.Join(" ", categories.Select(c => subsystem.Count(f => f.Category == c).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(11))) +
                             $" {subsystem.Count(),7}");
        }
        output.WriteLine($"{"total".PadRight(width)} " +
                         string.Join(" ", categories.Select(c => result.Findings.Count(f => f.Category == c).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(11))) +
                         $" {result.Findings.Length,7}");
    }
}
