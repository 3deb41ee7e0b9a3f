using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parascope.Model;

namespace Parascope.Reports.Diff;

/// <summary>One row of a comparison: a rule or a subsystem, its count in each report, sites that appeared and went.</summary>
public sealed record DiffRow(string Key, int Old, int New, int Appeared, int Gone)
{
    public int Delta => New - Old;
}

/// <summary>
/// Two scans compared (e.g. xnu-792 and xnu-11417, or main before and after a change): totals, and by rule and by
/// subsystem the counts and the sites that appeared or went (by fingerprint, so moved lines are not changes).
/// </summary>
public sealed record ReportDiff(string OldRoot, string NewRoot, DiffRow Total, ImmutableArray<DiffRow> ByRule, ImmutableArray<DiffRow> BySubsystem, ImmutableArray<DiffRow> ByCategory)
{
    public static ReportDiff Compare(ScanResult old, ScanResult current)
    {
        var oldPrints = old.Findings.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var newPrints = current.Findings.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
        ImmutableArray<DiffRow> By(Func<Finding, string> key)
        {
            var keys = old.Findings.Concat(current.Findings).Select(key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            return keys.Select(k => Row(k, old.Findings.Where(f => key(f) == k).ToList(), current.Findings.Where(f => key(f) == k).ToList(), oldPrints, newPrints))
                .ToImmutableArray();
        }
        return new ReportDiff(old.Root, current.Root,
            Row("total", [.. old.Findings], [.. current.Findings], oldPrints, newPrints),
            By(f => f.RuleId), By(f => Subsystems.Of(f.File)), By(f => f.Category.Name()));
    }

    private static DiffRow Row(string key, List<Finding> old, List<Finding> current, HashSet<string> oldPrints, HashSet<string> newPrints) =>
        new(key, old.Count, current.Count, current.Count(f => !oldPrints.Contains(f.Fingerprint)), old.Count(f => !newPrints.Contains(f.Fingerprint)));

    public void WriteText(TextWriter output)
    {
        output.WriteLine($"old: {OldRoot}");
        output.WriteLine($"new: {NewRoot}");
        output.WriteLine($"findings: {Total.Old} → {Total.New} ({Signed(Total.Delta)}; {Total.Appeared} appeared, {Total.Gone} gone)");
        Table(output, "category", ByCategory);
        Table(output, "subsystem", BySubsystem);
        Table(output, "rule", ByRule);
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

    public void WriteJson(Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("old", OldRoot);
        json.WriteString("new", NewRoot);
        json.WritePropertyName("total");
        WriteRow(json, Total, named: false);
        foreach (var (name, rows) in new[] { ("byCategory", ByCategory), ("bySubsystem", BySubsystem), ("byRule", ByRule) })
        {
            json.WriteStartArray(name);
            foreach (var row in rows)
            {
                WriteRow(json, row, named: true);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
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
