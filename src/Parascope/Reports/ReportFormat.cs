namespace Parascope.Reports;

/// <summary>The report formats; each has one writer.</summary>
public enum ReportFormat
{
    Text,
    Json,
    Sarif,
    Markdown,
    Html,
}

public static class ReportFormats
{
    public static bool TryParse(string name, out ReportFormat format)
    {
        foreach (var value in Enum.GetValues<ReportFormat>())
        {
            if (string.Equals(value.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                format = value;
                return true;
            }
        }
        format = default;
        return false;
    }

    /// <summary>The format an output file's extension asks for, when it names one.</summary>
    public static ReportFormat? FromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => ReportFormat.Json,
        ".txt" => ReportFormat.Text,
        ".sarif" => ReportFormat.Sarif,
        ".md" or ".markdown" => ReportFormat.Markdown,
        ".html" or ".htm" => ReportFormat.Html,
        _ => null,
    };
}
