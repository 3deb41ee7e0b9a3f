using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parascope.Results;

namespace Parascope.Reports.Diff;

/// <summary>Writes a <see cref="ReportDiff"/> as text or JSON; the comparison itself is the Results stage's.</summary>
public static class DiffWriter
{
    public static void WriteText(ReportDiff diff, TextWriter output)
    {
        output.WriteLine($"old: {diff.OldRoot}");
        output.WriteLine($"new: {diff.NewRoot}");
        output.WriteLine($"findings: {diff.Total.Old} → {diff.Total.New} ({Signed(diff.Total.Delta)}; {diff.Total.Appeared} appeared, {diff.Total.Gone} gone)");
        Table(output, "category", diff.ByCategory);
        Table(output, "subsystem", diff.BySubsystem);
        Table(output, "rule", diff.ByRule);
        output.WriteLine();
        output.WriteLine($"sites that appeared ({diff.Appeared.Length}; matched by fingerprint, then by function and rule):");
        foreach (var site in diff.Appeared)
        {
            output.WriteLine($"  + {Site(site)}");
        }
        output.WriteLine();
        output.WriteLine($"sites that went ({diff.Gone.Length}):");
        foreach (var site in diff.Gone)
        {
            output.WriteLine($"  - {Site(site)}");
        }
        if (!diff.Moved.IsEmpty)
        {
            output.WriteLine();
            output.WriteLine($"sites in both under another fingerprint ({diff.Moved.Length}: same function and rule, file or text changed):");
            foreach (var moved in diff.Moved)
            {
                output.WriteLine($"  ~ {Site(moved.New)}  (was {moved.Old.File}:{moved.Old.Line}{(moved.Old.Detail != moved.New.Detail ? $" {Quote(moved.Old.Detail)}" : string.Empty)})");
            }
        }
    }

    private static string Site(DiffSite site) =>
        $"{site.File}:{site.Line}  {site.RuleId}  {site.Function ?? "(file scope)"}  {Quote(site.Detail)}{(site.Active ? string.Empty : "  [inactive]")}";

    private static string Quote(string detail)
    {
        var folded = string.Join(' ', detail.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return "`" + (folded.Length > 80 ? folded[..77] + "..." : folded) + "`";
    }

    private static void Table(TextWriter output, string title, ImmutableArray<DiffRow> rows)
    {
        output.WriteLine();
        var width = Math.Max(title.Length, rows.IsEmpty ? 0 : rows.Max(r => r.Key.Length));
        output.WriteLine($"{title.PadRight(width)} {"old",7} {"new",7} {"delta",7} {"appeared",9} {"gone",7}");
        foreach (var row in rows)
        {
            output.WriteLine($"{row.Key.PadRight(width)} {row.Old,7} {row.New,7} {Signed(row.Delta),7} {row.Appeared,9} {row.Gone,7}");
        }
    }

    private static string Signed(int value) => value > 0 ? $"+{value}" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static void WriteJson(ReportDiff diff, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("old", diff.OldRoot);
        json.WriteString("new", diff.NewRoot);
        json.WritePropertyName("total");
        WriteRow(json, diff.Total, named: false);
        foreach (var (name, rows) in new[] { ("byCategory", diff.ByCategory), ("bySubsystem", diff.BySubsystem), ("byRule", diff.ByRule) })
        {
            json.WriteStartArray(name);
            foreach (var row in rows)
            {
                WriteRow(json, row, named: true);
            }
            json.WriteEndArray();
        }
        foreach (var (name, sites) in new[] { ("appearedSites", diff.Appeared), ("goneSites", diff.Gone) })
        {
            json.WriteStartArray(name);
            foreach (var site in sites)
            {
                WriteSite(json, site);
            }
            json.WriteEndArray();
        }
        json.WriteStartArray("movedSites");
        foreach (var moved in diff.Moved)
        {
            json.WriteStartObject();
            json.WritePropertyName("old");
            WriteSite(json, moved.Old);
            json.WritePropertyName("new");
            WriteSite(json, moved.New);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteSite(Utf8JsonWriter json, DiffSite site)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", site.RuleId);
        json.WriteString("category", site.Category);
        json.WriteString("severity", site.Severity);
        json.WriteString("file", site.File);
        json.WriteNumber("line", site.Line);
        if (site.Function is null)
        {
            json.WriteNull("function");
        }
        else
        {
            json.WriteString("function", site.Function);
        }
        json.WriteString("detail", site.Detail);
        json.WriteString("fingerprint", site.Fingerprint);
        json.WriteBoolean("active", site.Active);
        json.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter json, DiffRow row, bool named)
    {
        json.WriteStartObject();
        if (named)
        {
            json.WriteString("name", row.Key);
        }
        json.WriteNumber("old", row.Old);
        json.WriteNumber("new", row.New);
        json.WriteNumber("delta", row.Delta);
        json.WriteNumber("appeared", row.Appeared);
        json.WriteNumber("gone", row.Gone);
        json.WriteEndObject();
    }
}
