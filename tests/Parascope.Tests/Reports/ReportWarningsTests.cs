using System.Text.Json;
using NJsonSchema;
using Parascope.Reports;

namespace Parascope.Tests.Reports;

public sealed class ReportWarningsTests(SampleScan sample) : IClassFixture<SampleScan>
{
    private const string Warning = "db.json: 2 of 3 entries skipped (1 outside /x | <y>)";

    private Model.ScanResult Warned => sample.Result with { Warnings = [Warning] };

    [Theory]
    [InlineData(ReportFormat.Text, "warning: db.json: 2 of 3 entries skipped (1 outside /x | <y>)")]
    [InlineData(ReportFormat.Markdown, "- db.json: 2 of 3 entries skipped (1 outside /x \\| <y>)")]
    [InlineData(ReportFormat.Html, "<li>db.json: 2 of 3 entries skipped (1 outside /x | &lt;y&gt;)</li>")]
    public void Every_human_readable_report_lists_the_scan_warnings(ReportFormat format, string expected)
    {
        Assert.Contains(expected, ReportWriter.ToText(Warned, format));
    }

    [Theory]
    [InlineData(ReportFormat.Text, "warnings (")]
    [InlineData(ReportFormat.Markdown, "### Warnings")]
    [InlineData(ReportFormat.Html, "class=\"warnings\"")]
    public void A_report_with_no_warnings_has_no_warnings_block(ReportFormat format, string block)
    {
        Assert.DoesNotContain(block, ReportWriter.ToText(sample.Result with { Warnings = [] }, format));
    }

    [Fact]
    public async Task Sarif_carries_the_warnings_as_tool_execution_notifications_and_stays_valid()
    {
        var text = ReportWriter.ToText(Warned, ReportFormat.Sarif);

        using var document = JsonDocument.Parse(text);
        var notification = document.RootElement.GetProperty("runs")[0].GetProperty("invocations")[0].GetProperty("toolExecutionNotifications")[0];
        Assert.Equal("warning", notification.GetProperty("level").GetString());
        Assert.Equal(Warning, notification.GetProperty("message").GetProperty("text").GetString());
        var schema = await JsonSchema.FromFileAsync(ReportTrees.SarifSchema);
        Assert.Empty(schema.Validate(text));
    }
}
