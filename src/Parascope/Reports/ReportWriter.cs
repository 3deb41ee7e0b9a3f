using System.Text;
using Parascope.Model;

namespace Parascope.Reports;

/// <summary>Writes a result in any format, to a stream or atomically to a file.</summary>
public static class ReportWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void Write(ScanResult result, ReportFormat format, Stream stream, bool colour = false)
    {
        switch (format)
        {
            case ReportFormat.Json:
                Json.JsonReportWriter.Write(result, stream);
                return;
            case ReportFormat.Sarif:
                Sarif.SarifReportWriter.Write(result, stream);
                return;
        }
        using var writer = new StreamWriter(stream, Utf8, leaveOpen: true) { NewLine = "\n" };
        switch (format)
        {
            case ReportFormat.Markdown:
                Markdown.MarkdownReportWriter.Write(result, writer);
                break;
            case ReportFormat.Html:
                Html.HtmlReportWriter.Write(result, writer);
                break;
            default:
                Text.TextReportWriter.Write(result, writer, colour);
                break;
        }
    }

    /// <summary>The plan the Planning stage put in RESULT: writers render it, they never compute it.</summary>
    internal static ReportOutline OutlineOf(ScanResult result) =>
        result.Outline ?? throw new InvalidOperationException("a result reached a report writer without its plan (Planning.Planner.Apply)");

    public static void WriteFile(ScanResult result, ReportFormat format, string path) =>
        AtomicFile.Write(path, stream => Write(result, format, stream));

    public static string ToText(ScanResult result, ReportFormat format, bool colour = false)
    {
        using var buffer = new MemoryStream();
        Write(result, format, buffer, colour);
        return Utf8.GetString(buffer.ToArray());
    }
}
