using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parascope.Results;

namespace Parascope.Reports.Compare;

/// <summary>Writes a <see cref="ReleaseComparison"/> as text, JSON, Markdown or HTML; the comparison is the Results stage's.</summary>
public static class CompareWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void WriteJson(ReleaseComparison comparison, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteStartArray("releases");
        foreach (var release in comparison.Releases)
        {
            json.WriteStartObject();
            json.WriteString("name", release.Name);
            json.WriteString("root", release.Root);
            json.WriteString("arches", release.Arches);
            json.WriteNumber("findings", release.Findings);
            json.WriteNumber("changes", release.Changes);
            json.WriteNumber("uses", release.Uses);
            json.WriteNumber("hooks", release.Hooks);
            json.WriteNumber("wrappers", release.Wrappers);
            json.WriteNumber("minCut", release.MinCut);
            json.WriteNumber("effort", release.Effort);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("hooks");
        foreach (var hook in comparison.Hooks)
        {
            json.WriteStartObject();
            json.WriteString("id", hook.Id);
            json.WriteString("operation", hook.Operation);
            json.WriteString("phase", hook.Phase);
            json.WriteStartArray("releases");
            foreach (var here in hook.Releases)
            {
                if (here is null)
                {
                    json.WriteNullValue();
                    continue;
                }
                json.WriteStartObject();
                json.WriteNumber("sites", here.Sites);
                json.WriteNumber("scatteredSites", here.ScatteredSites);
                json.WriteNumber("uses", here.Uses);
                Strings(json, "wrappers", here.Wrappers);
                json.WriteNumber("sitesAppeared", here.SitesAppeared);
                json.WriteNumber("sitesGone", here.SitesGone);
                Strings(json, "wrappersAppeared", here.WrappersAppeared);
                Strings(json, "wrappersGone", here.WrappersGone);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("phases");
        foreach (var phase in comparison.Phases)
        {
            json.WriteStartObject();
            json.WriteString("phase", phase.Phase);
            json.WriteStartArray("changes");
            foreach (var count in phase.Changes)
            {
                json.WriteNumberValue(count);
            }
            json.WriteEndArray();
            json.WriteStartArray("effort");
            foreach (var effort in phase.Effort)
            {
                json.WriteNumberValue(effort);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("readiness");
        for (var i = 0; i < comparison.Readiness.Length; i++)
        {
            var release = comparison.Readiness[i];
            json.WriteStartObject();
            json.WriteString("release", comparison.Releases[i].Name);
            Strings(json, "hypervisors", release.Hypervisors);
            json.WriteStartArray("items");
            foreach (var item in release.Items)
            {
                json.WriteStartObject();
                ReadinessFields(json, item);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            // Grouped by verdict (blocking first) and, against the release before, what changed.
            json.WriteStartArray("byVerdict");
            foreach (var (verdict, items) in ByVerdict(release.Items))
            {
                json.WriteStartObject();
                json.WriteString("verdict", verdict);
                json.WriteNumber("items", items.Count);
                json.WriteNumber("sites", items.Sum(item => item.Sites));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            Strings(json, "hypervisorsAppeared", release.HypervisorsAppeared);
            Strings(json, "hypervisorsGone", release.HypervisorsGone);
            json.WriteStartArray("changes");
            foreach (var change in release.Changes)
            {
                json.WriteStartObject();
                json.WriteString("change", change.Change);
                ReadinessFields(json, change.Item);
                json.WriteString("verdictBefore", change.VerdictBefore);
                Strings(json, "valuesAppeared", change.ValuesAppeared);
                Strings(json, "valuesGone", change.ValuesGone);
                if (change.SitesBefore is { } sites)
                {
                    json.WriteNumber("sitesBefore", sites);
                }
                else
                {
                    json.WriteNull("sitesBefore");
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void ReadinessFields(Utf8JsonWriter json, Model.ReadinessItem item)
    {
        json.WriteString("item", item.Item);
        json.WriteString("file", item.File);
        json.WriteNumber("line", item.Line);
        json.WriteString("function", item.Function);
        json.WriteString("verdict", item.Verdict);
        json.WriteString("phase", item.Phase);
        json.WriteString("ruleId", item.RuleId);
        Strings(json, "values", item.Values);
        json.WriteString("otherwise", item.Otherwise);
        json.WriteNumber("sites", item.Sites);
    }

    /// <summary>A release's items by verdict, blocking first (the order of <see cref="Model.ReadinessItem.RankOf"/>), each in boot order.</summary>
    private static IEnumerable<(string Verdict, List<Model.ReadinessItem> Items)> ByVerdict(IEnumerable<Model.ReadinessItem> items) =>
        items.GroupBy(i => i.Verdict, StringComparer.Ordinal).OrderBy(g => Model.ReadinessItem.RankOf(g.Key)).Select(g => (g.Key, g.ToList()));

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    /// <summary>Markdown: the release totals, the hooks (sites per release, with what appeared/went), the phases.</summary>
    public static void WriteMarkdown(ReleaseComparison comparison, TextWriter output)
    {
        output.WriteLine("# The port across releases");
        output.WriteLine();
        foreach (var table in Tables(comparison))
        {
            output.WriteLine($"## {table.Title}");
            output.WriteLine();
            output.WriteLine("| " + string.Join(" | ", table.Header) + " |");
            output.WriteLine("|" + string.Concat(table.Header.Select(_ => "---|")));
            foreach (var row in table.Rows)
            {
                output.WriteLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
            }
            output.WriteLine();
        }
        output.WriteLine("A hook cell reads `sites (scattered) +appeared −gone`; wrappers that appeared or went are named under the table.");
        WrapperChanges(comparison, line => output.WriteLine($"- {line}"));
        foreach (var list in ReadinessLists(comparison))
        {
            output.WriteLine();
            output.WriteLine($"## {list.Title}");
            output.WriteLine();
            foreach (var (group, lines) in list.Groups)
            {
                output.WriteLine($"- **{group}**");
                foreach (var line in lines)
                {
                    output.WriteLine($"  - {line.Replace("|", "\\|", StringComparison.Ordinal)}");
                }
            }
        }
    }

    /// <summary>Plain text for a console: the same tables, aligned.</summary>
    public static void WriteText(ReleaseComparison comparison, TextWriter output)
    {
        foreach (var table in Tables(comparison))
        {
            output.WriteLine(table.Title);
            var widths = table.Header.Select((h, i) => Math.Max(h.Length, table.Rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToList();
            output.WriteLine(string.Join("  ", table.Header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
            foreach (var row in table.Rows)
            {
                output.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
            }
            output.WriteLine();
        }
        WrapperChanges(comparison, output.WriteLine);
        foreach (var list in ReadinessLists(comparison))
        {
            output.WriteLine();
            output.WriteLine(list.Title);
            foreach (var (group, lines) in list.Groups)
            {
                output.WriteLine($"  {group}");
                foreach (var line in lines)
                {
                    output.WriteLine($"    {line}");
                }
            }
        }
    }

    /// <summary>HTML: the tables, and a bar chart of the work (effort) per release, drawn as inline SVG.</summary>
    public static void WriteHtml(ReleaseComparison comparison, TextWriter output)
    {
        output.WriteLine("<!DOCTYPE html>");
        output.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Parascope: the port across releases</title>");
        output.WriteLine("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}td:first-child,th:first-child{text-align:left}.bar{fill:#4a7bb7}</style></head><body>");
        output.WriteLine("<h1>The port across releases</h1>");
        output.WriteLine("<h2>Work per release</h2>");
        Chart(comparison, output);
        foreach (var table in Tables(comparison))
        {
            output.WriteLine($"<h2>{Html(table.Title)}</h2>");
            output.WriteLine("<table><thead><tr>" + string.Concat(table.Header.Select(h => $"<th>{Html(h)}</th>")) + "</tr></thead><tbody>");
            foreach (var row in table.Rows)
            {
                output.WriteLine("<tr>" + string.Concat(row.Select(c => $"<td>{Html(c)}</td>")) + "</tr>");
            }
            output.WriteLine("</tbody></table>");
        }
        output.WriteLine("<ul>");
        WrapperChanges(comparison, line => output.WriteLine($"<li>{Html(line)}</li>"));
        output.WriteLine("</ul>");
        foreach (var list in ReadinessLists(comparison))
        {
            output.WriteLine($"<h2>{Html(list.Title)}</h2>");
            output.WriteLine("<ul class=\"readiness\">");
            foreach (var (group, lines) in list.Groups)
            {
                output.WriteLine($"<li><strong>{Html(group)}</strong><ul>" + string.Concat(lines.Select(l => $"<li>{Html(l)}</li>")) + "</ul></li>");
            }
            output.WriteLine("</ul>");
        }
        output.WriteLine("</body></html>");
    }

    private static void Chart(ReleaseComparison comparison, TextWriter output)
    {
        const int barWidth = 60, gap = 30, height = 200, labelSpace = 40;
        var max = Math.Max(1, comparison.Releases.Max(r => r.Effort));
        var width = comparison.Releases.Length * (barWidth + gap) + gap;
        output.WriteLine($"<svg id=\"work-chart\" width=\"{width}\" height=\"{height + 2 * labelSpace}\" role=\"img\" aria-label=\"effort per release\">");
        for (var i = 0; i < comparison.Releases.Length; i++)
        {
            var release = comparison.Releases[i];
            var barHeight = (int)Math.Round(release.Effort / max * height);
            var x = gap + i * (barWidth + gap);
            var y = labelSpace + height - barHeight;
            output.WriteLine(FormattableString.Invariant($"<rect class=\"bar\" x=\"{x}\" y=\"{y}\" width=\"{barWidth}\" height=\"{barHeight}\"><title>{Html(release.Name)}: {release.Effort} points</title></rect>"));
            output.WriteLine(FormattableString.Invariant($"<text x=\"{x + barWidth / 2}\" y=\"{y - 5}\" text-anchor=\"middle\">{release.Effort}</text>"));
            output.WriteLine(FormattableString.Invariant($"<text x=\"{x + barWidth / 2}\" y=\"{labelSpace + height + 20}\" text-anchor=\"middle\" font-size=\"11\">{Html(release.Name)}</text>"));
        }
        output.WriteLine("</svg>");
    }

    private sealed record Table(string Title, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

    private static IEnumerable<Table> Tables(ReleaseComparison comparison)
    {
        var names = comparison.Releases.Select(r => $"{r.Name} ({r.Arches})").ToList();
        yield return new Table("Releases", ["", .. names],
        [
            ["findings (active)", .. comparison.Releases.Select(r => Number(r.Findings))],
            ["changes", .. comparison.Releases.Select(r => Number(r.Changes))],
            ["uses", .. comparison.Releases.Select(r => Number(r.Uses))],
            ["hooks", .. comparison.Releases.Select(r => Number(r.Hooks))],
            ["wrappers", .. comparison.Releases.Select(r => Number(r.Wrappers))],
            ["min cut", .. comparison.Releases.Select(r => Number(r.MinCut))],
            ["effort (points)", .. comparison.Releases.Select(r => r.Effort.ToString("0.##", Invariant))],
        ]);
        yield return new Table("Hooks", ["hook", "phase", .. names],
            [.. comparison.Hooks.Select(h => (IReadOnlyList<string>)[h.Id, h.Phase, .. h.Releases.Select((r, i) => Cell(r, i))])]);
        yield return new Table("Phases (changes / effort)", ["phase", .. names],
            [.. comparison.Phases.Select(p => (IReadOnlyList<string>)[p.Phase, .. p.Changes.Select((c, i) => $"{Number(c)} / {p.Effort[i].ToString("0.##", Invariant)}")])]);
        if (comparison.Readiness.IsEmpty)
        {
            yield break;
        }
        // HVM readiness per release: the hypervisors each kernel recognises (and which appeared or went), the items by
        // verdict with what changed since the release before, then each item with its verdicts there (blocking first).
        IReadOnlyList<string> hypervisors = ["recognised hypervisors", .. comparison.Readiness.Select(HypervisorCell)];
        var verdicts = comparison.Readiness.SelectMany(r => r.Items.Select(i => i.Verdict)).Distinct(StringComparer.Ordinal)
            .OrderBy(Model.ReadinessItem.RankOf).ToList();
        yield return new Table("HVM readiness by verdict (items / sites; changes since the release before)", ["", .. names],
        [
            hypervisors,
            .. verdicts.Select(verdict => (IReadOnlyList<string>)[verdict, .. comparison.Readiness.Select((r, i) => VerdictCell(r, verdict, i))]),
        ]);
        var items = comparison.Readiness.SelectMany(r => r.Items).GroupBy(i => i.Item, StringComparer.Ordinal)
            .OrderBy(g => g.Min(i => Model.ReadinessItem.RankOf(i.Verdict))).Select(g => g.Key).ToList();
        yield return new Table("HVM readiness (verdicts per item; ×sites)", ["item", .. names],
        [
            hypervisors,
            .. items.Select(item => (IReadOnlyList<string>)[item, .. comparison.Readiness.Select(r => ReadinessCell(r, item))]),
        ]);
    }

    private static string HypervisorCell(ReadinessInRelease release)
    {
        var cell = release.Hypervisors.IsEmpty ? "none" : string.Join(", ", release.Hypervisors);
        var moves = release.HypervisorsAppeared.Select(h => "+" + h).Concat(release.HypervisorsGone.Select(h => "−" + h)).ToList();
        return moves.Count == 0 ? cell : $"{cell} ({string.Join(", ", moves)})";
    }

    /// <summary>
    /// `items / sites`, then for a later release `+in −out ~changed`: items that appeared or came from another verdict,
    /// items that went or moved to another verdict, items that kept this verdict but changed (values, sites), so that
    /// the count before + in − out is the count now.
    /// </summary>
    private static string VerdictCell(ReadinessInRelease release, string verdict, int index)
    {
        var items = release.Items.Where(i => i.Verdict == verdict).ToList();
        var cell = $"{Number(items.Count)} / {Number(items.Sum(i => i.Sites))}";
        if (index == 0)
        {
            return cell;
        }
        var moved = release.Changes.Where(c => c.VerdictBefore is not null).ToList();
        var into = release.Changes.Count(c => c.Change == ReadinessChange.Appeared && c.Item.Verdict == verdict) + moved.Count(c => c.Item.Verdict == verdict);
        var outOf = release.Changes.Count(c => c.Change == ReadinessChange.Gone && c.Item.Verdict == verdict) + moved.Count(c => c.VerdictBefore == verdict);
        var changed = release.Changes.Count(c => c.Change == ReadinessChange.Changed && c.VerdictBefore is null && c.Item.Verdict == verdict);
        return $"{cell} +{into} −{outOf} ~{changed}";
    }

    private sealed record ItemList(string Title, IReadOnlyList<(string Group, IReadOnlyList<string> Lines)> Groups);

    /// <summary>
    /// Per release, its readiness items grouped by verdict (blocking first, each group in boot order), each marked new or
    /// changed against the release before, with the items gone since then at the end.
    /// </summary>
    private static IEnumerable<ItemList> ReadinessLists(ReleaseComparison comparison)
    {
        for (var i = 0; i < comparison.Readiness.Length; i++)
        {
            var release = comparison.Readiness[i];
            var changes = release.Changes.Where(c => c.Change != ReadinessChange.Gone)
                .ToDictionary(c => (object)c.Item, c => c, ReferenceEqualityComparer.Instance);
            var groups = ByVerdict(release.Items)
                .Select(g => ($"{g.Verdict}: {Model.ReportOutline.Heading(g.Verdict)}",
                    (IReadOnlyList<string>)[.. g.Items.Select(item => Line(item, changes.GetValueOrDefault(item)))]))
                .ToList();
            var gone = release.Changes.Where(c => c.Change == ReadinessChange.Gone).Select(c => Line(c.Item, null)).ToList();
            if (gone.Count > 0)
            {
                groups.Add(($"gone since {comparison.Releases[i - 1].Name}", gone));
            }
            var name = comparison.Releases[i];
            yield return new ItemList($"HVM readiness of {name.Name} ({name.Arches})", groups);
        }
    }

    /// <summary>One item: what, where, what the machine must present and what happens otherwise, and what changed.</summary>
    private static string Line(Model.ReadinessItem item, ReadinessChange? change)
    {
        var line = new StringBuilder(item.Item).Append(Invariant, $": {item.File}:{item.Line}");
        if (item.Function is not null)
        {
            line.Append(' ').Append(item.Function);
        }
        if (Model.ReportOutline.Describe(item) is { Length: > 0 } describe)
        {
            line.Append(" (").Append(describe).Append(')');
        }
        if (change is null)
        {
            return line.ToString();
        }
        var what = new List<string>();
        if (change.Change == ReadinessChange.Appeared)
        {
            what.Add("new");
        }
        if (change.VerdictBefore is not null)
        {
            what.Add($"was {change.VerdictBefore}");
        }
        if (!change.ValuesAppeared.IsEmpty)
        {
            what.Add("now also compares " + string.Join(", ", change.ValuesAppeared));
        }
        if (!change.ValuesGone.IsEmpty)
        {
            what.Add("no longer compares " + string.Join(", ", change.ValuesGone));
        }
        if (change.SitesBefore is { } sites)
        {
            what.Add($"{Number(sites)} sites before");
        }
        return what.Count == 0 ? line.ToString() : $"{line} [{string.Join("; ", what)}]";
    }

    private static string ReadinessCell(ReadinessInRelease release, string item)
    {
        var here = release.Items.Where(i => i.Item == item).ToList();
        return here.Count == 0 ? "—"
            : string.Join(", ", here.GroupBy(i => i.Verdict, StringComparer.Ordinal).OrderBy(g => Model.ReadinessItem.RankOf(g.Key))
                .Select(g => $"{g.Key} ×{Number(g.Sum(i => i.Sites))}"));
    }

    private static string Cell(HookInRelease? here, int index)
    {
        if (here is null)
        {
            return "—";
        }
        var cell = new StringBuilder(Number(here.Sites)).Append(CultureInfo.InvariantCulture, $" ({here.ScatteredSites})");
        if (index > 0)
        {
            cell.Append(CultureInfo.InvariantCulture, $" +{here.SitesAppeared} −{here.SitesGone}");
        }
        return cell.ToString();
    }

    private static void WrapperChanges(ReleaseComparison comparison, Action<string> line)
    {
        foreach (var hook in comparison.Hooks)
        {
            for (var i = 1; i < hook.Releases.Length; i++)
            {
                if (hook.Releases[i] is { } here && (here.WrappersAppeared.Length > 0 || here.WrappersGone.Length > 0))
                {
                    var parts = new List<string>();
                    if (here.WrappersAppeared.Length > 0)
                    {
                        parts.Add("new wrappers " + string.Join(", ", here.WrappersAppeared));
                    }
                    if (here.WrappersGone.Length > 0)
                    {
                        parts.Add("gone " + string.Join(", ", here.WrappersGone));
                    }
                    line($"{hook.Id}, {comparison.Releases[i].Name}: {string.Join("; ", parts)}");
                }
            }
        }
    }

    private static string Number(int value) => value.ToString("N0", Invariant);

    private static string Html(string text) => WebUtility.HtmlEncode(text);
}
