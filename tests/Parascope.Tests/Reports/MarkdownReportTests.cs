using Parascope.Results;
using Parascope.Model;
using Parascope.Reports;
using static Parascope.Tests.Reports.ConstructedResults;

namespace Parascope.Tests.Reports;

public sealed class MarkdownReportTests
{
    private static readonly Parascope.Model.Rule Hlt = Rule("x86.hlt", FindingCategory.Instruction, 1, Severity.Error, Severity.Warning, Severity.Note);

    [Fact]
    public void The_summary_has_totals_new_findings_top_files_and_effort_per_target()
    {
        var result = Baseline.Apply(
            Result([Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("x86.hlt", "osfmk/a.c", 9, "g"), Finding("x86.hlt", "bsd/b.c", 3, "h")], [Hlt]),
            new HashSet<string>(["x86.hlt-osfmk/a.c-1", "x86.hlt-gone.c-1"]));
        var markdown = ReportWriter.ToText(result, ReportFormat.Markdown);
        Assert.Contains("## Parascope: 3 sites for xen-pv", markdown);
        Assert.Contains("| **new since baseline** | **2** |", markdown);
        Assert.Contains("| fixed | 1 |", markdown);
        Assert.Contains("- `bsd/b.c:3` error `x86.hlt`", markdown);
        Assert.Contains("| xen-pv | 3 | 3 | 0 | 0 | 0 |", markdown);
        Assert.Contains("| xen-pvh | 1.5 |", markdown);
        var top = markdown[markdown.IndexOf("### Top files", StringComparison.Ordinal)..];
        Assert.True(top.IndexOf("osfmk/a.c", StringComparison.Ordinal) < top.IndexOf("bsd/b.c", StringComparison.Ordinal));
    }

    [Fact]
    public void The_text_report_has_a_table_by_subsystem_and_category_and_colours_only_when_asked()
    {
        var result = Result([Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("x86.hlt", "bsd/b.c", 3, "h")], [Hlt]);
        var plain = ReportWriter.ToText(result, ReportFormat.Text);
        Assert.Contains("subsystem", plain);
        Assert.Matches(@"osfmk\s+1\s+1", plain);
        Assert.DoesNotContain("\u001b[", plain);
        Assert.Contains("\u001b[31merror", ReportWriter.ToText(result, ReportFormat.Text, colour: true));
    }
}
