using System.Text.Json;
using Parascope.Clang;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Reports.Json;
using Parascope.Results;

namespace Parascope.Tests.Reports;

/// <summary>Every report names the libclang the scan parsed with: findings depend on its version (docs/libclang.md).</summary>
public sealed class LibclangReportTests(SampleScan sample) : IClassFixture<SampleScan>
{
    private static readonly LibclangInfo Fourteen = new("Debian clang version 14.0.6", "/usr/lib/x86_64-linux-gnu/libclang-14.so.1");

    [Fact]
    public void A_scan_records_the_loaded_libclangs_version_and_origin()
    {
        Assert.Equal(new LibclangInfo(LibclangLoader.Version(), LibclangLoader.Origin!), sample.Result.Libclang);
    }

    [Fact]
    public void The_json_report_names_the_libclang_under_scan()
    {
        using var document = JsonDocument.Parse(ReportWriter.ToText(sample.Result with { Libclang = Fourteen }, ReportFormat.Json));
        var libclang = document.RootElement.GetProperty("scan").GetProperty("libclang");

        Assert.Equal("Debian clang version 14.0.6", libclang.GetProperty("version").GetString());
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libclang-14.so.1", libclang.GetProperty("origin").GetString());
    }

    [Fact]
    public void The_json_report_reads_back_with_its_libclang()
    {
        using var folder = new TempTree();
        var path = Path.Combine(folder.Root, "r.json");
        File.WriteAllText(path, ReportWriter.ToText(sample.Result with { Libclang = Fourteen }, ReportFormat.Json));

        Assert.Equal(Fourteen, JsonReportReader.Read(path).Value!.Libclang);
    }

    [Fact]
    public void The_sarif_driver_names_the_libclang_in_its_properties()
    {
        using var document = JsonDocument.Parse(ReportWriter.ToText(sample.Result with { Libclang = Fourteen }, ReportFormat.Sarif));
        var libclang = document.RootElement.GetProperty("runs")[0].GetProperty("tool").GetProperty("driver").GetProperty("properties").GetProperty("libclang");

        Assert.Equal("Debian clang version 14.0.6", libclang.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData(ReportFormat.Text)]
    [InlineData(ReportFormat.Markdown)]
    [InlineData(ReportFormat.Html)]
    public void The_human_readable_headers_name_the_libclang(ReportFormat format)
    {
        var text = ReportWriter.ToText(sample.Result with { Libclang = Fourteen }, format);

        Assert.Contains("Debian clang version 14.0.6, /usr/lib/x86_64-linux-gnu/libclang-14.so.1", text);
    }

    [Fact]
    public void A_bundled_libclang_is_named_bundled_not_by_its_absolute_path()
    {
        var candidate = new LibclangCandidate("/home/someone/.dotnet/tools/.store/parascope/runtimes/linux-x64/native/libclang.so", LibclangSource.Bundled);

        Assert.Equal("bundled", LibclangLoader.OriginOf(candidate));
    }

    [Fact]
    public void Shards_parsed_with_different_libclangs_do_not_merge()
    {
        var other = sample.Result with { Libclang = new LibclangInfo("clang version 99.0.0", "/elsewhere/libclang.so"), Shard = "2/2" };

        var (merged, error) = ReportMerge.Merge([sample.Result with { Shard = "1/2" }, other], sample.Result.Rules, sample.Result.Phases);

        Assert.Null(merged);
        Assert.Contains("different libclangs", error!.Message);
    }
}
