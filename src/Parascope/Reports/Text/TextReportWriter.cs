using Parascope.Model;

namespace Parascope.Reports.Text;

/// <summary>The plain console report: a summary, then findings grouped by file.</summary>
public static class TextReportWriter
{
    public static void Write(ScanResult result, TextWriter output)
    {
        var counts = result.Health.Counts;
        output.WriteLine($"parascope {result.ToolVersion}: {result.Root} ({string.Join(", ", result.Arches)}; target {result.Target.Name()}; profile {result.Profile})");
        output.WriteLine($"units: {counts.Total} total, {counts.Parsed - counts.WithErrors} clean, {counts.WithErrors} with errors, {counts.Failed} failed");
        var summary = Summary.Of(result.Findings);
        output.WriteLine($"findings: {summary.Total} ({summary.Active} active, {summary.Inactive} inactive)");
        foreach (var (category, count) in summary.ByCategory)
        {
            output.WriteLine($"  {category,-12} {count,6}");
        }
        foreach (var group in result.Findings.GroupBy(f => f.File))
        {
            output.WriteLine();
            output.WriteLine(group.Key);
            foreach (var finding in group)
            {
                var where = finding.Function is null ? string.Empty : $" in {finding.Function}";
                var inactive = finding.Active ? string.Empty : " [inactive]";
                output.WriteLine($"  {finding.Line}:{finding.Column} {finding.Severity.Name()} {finding.RuleId}{where}{inactive}: {finding.Detail}");
                output.WriteLine($"      → {finding.Action}");
            }
        }
    }
}
