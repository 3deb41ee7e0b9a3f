using System.Net;
using Parascope.Model;

namespace Parascope.Reports;

/// <summary>
/// The scan's warnings (a compile database naming files elsewhere, units with no MASTER config, inline suppressions
/// that name no rule…) as one block per human-readable format: a report read later, away from the console that
/// printed them on stderr, must still say what it could not see. Nothing when there is none.
/// </summary>
public static class ReportWarnings
{
    public static void Text(ScanResult result, TextWriter output)
    {
        if (result.Warnings.IsEmpty)
        {
            return;
        }
        output.WriteLine();
        output.WriteLine($"warnings ({result.Warnings.Length}):");
        foreach (var warning in result.Warnings)
        {
            output.WriteLine($"  warning: {warning}");
        }
    }

    public static void Markdown(ScanResult result, TextWriter output)
    {
        if (result.Warnings.IsEmpty)
        {
            return;
        }
        output.WriteLine($"### Warnings ({result.Warnings.Length})");
        output.WriteLine();
        foreach (var warning in result.Warnings)
        {
            output.WriteLine($"- {warning.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal)}");
        }
        output.WriteLine();
    }

    public static string Html(ScanResult result) => result.Warnings.IsEmpty
        ? string.Empty
        : $"<section class=\"warnings\"><h2>Warnings ({result.Warnings.Length})</h2>\n<ul>\n"
          + string.Concat(result.Warnings.Select(w => $"<li>{WebUtility.HtmlEncode(w)}</li>\n"))
          + "</ul>\n</section>\n";
}
