using System.Text.Json;
using Parascope.Reports.Json;

namespace Parascope.Tests.Reports;

public sealed class JsonReportTests
{
    private static string ScanToJson(string root)
    {
        var outcome = ScanPipeline.Run(new ScanRequest { Root = root, Jobs = 2 });
        Assert.Null(outcome.Error);
        using var stream = new MemoryStream();
        JsonReportWriter.Write(outcome.Result!, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string SampleTree => Path.Combine(AppContext.BaseDirectory, "Fixtures", "empty-bsd");

    [Fact]
    public void The_report_has_the_schema_version_1_fields()
    {
        using var document = JsonDocument.Parse(ScanToJson(SampleTree));
        var root = document.RootElement;
        Assert.Equal("parascope", root.GetProperty("tool").GetProperty("name").GetString());
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        var scan = root.GetProperty("scan");
        foreach (var field in new[] { "root", "arches", "target", "units", "durationMs" })
        {
            Assert.True(scan.TryGetProperty(field, out _), $"scan.{field} missing");
        }
        var units = scan.GetProperty("units");
        Assert.Equal(1, units.GetProperty("total").GetInt32());
        Assert.Equal(1, units.GetProperty("parsed").GetInt32());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("findings").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("summary").ValueKind);
    }
}
