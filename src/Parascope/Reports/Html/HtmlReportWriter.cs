using System.Globalization;
using System.Net;
using System.Text;
using Parascope.Results;
using Parascope.Model;
using Parascope.Planning;

namespace Parascope.Reports.Html;

/// <summary>
/// One self-contained page that works offline: inline SVG charts (sites by subsystem and category, effort per
/// target, phases), a findings table that sorts and filters (category, rule, subsystem, text) with a code
/// excerpt per finding read from the scanned tree now, and the call-graph neighbourhood of each function.
/// No external resource is referenced.
/// </summary>
public static class HtmlReportWriter
{
    public const int ExcerptContext = 2;
    public const int NeighbourLimit = 8;

    public static void Write(ScanResult result, TextWriter output)
    {
        var summary = Summary.Of(result.Findings);
        var plan = PortPlan.Of(result);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append($"<title>Parascope: {E(Path.GetFileName(result.Root))} for {result.Target.Name()}</title>\n");
        html.Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append($"<h1>Parascope report: <code>{E(result.Root)}</code></h1>\n");
        html.Append($"<p class=\"meta\">parascope {E(result.ToolVersion)} · target <b>{result.Target.Name()}</b> · arches {E(string.Join(", ", result.Arches))} · profile {E(result.Profile)} · " +
                    $"{result.Health.Counts.Total} units ({result.Health.Counts.WithErrors} with errors, {result.Health.Counts.Failed} failed)" +
                    (result.Libclang is { } libclang ? $" · parsed with {E(libclang.Describe())}" : string.Empty) + "</p>\n");
        html.Append("<section class=\"cards\">\n");
        Card(html, "findings", summary.Total);
        Card(html, "active", summary.Active);
        Card(html, "inactive", summary.Inactive);
        Card(html, "suppressed", result.Suppressed.Length);
        if (result.HasBaseline)
        {
            Card(html, "new", result.Findings.Count(f => f.Baseline == "new"));
            Card(html, "fixed", result.FixedSinceBaseline);
        }
        html.Append("</section>\n");

        html.Append("<section class=\"charts\">\n");
        html.Append("<figure><figcaption>Sites by subsystem and category</figcaption>\n");
        html.Append(StackedBars(result));
        html.Append("</figure>\n<figure><figcaption>Effort per target (points)</figcaption>\n");
        html.Append(Bars("effort", plan.Targets.Select(t => (t.Target.Name(), t.Effort)).ToList()));
        html.Append("</figure>\n");
        if (plan.Phases.Any(p => p.Sites > 0))
        {
            html.Append("<figure><figcaption>Sites per port phase</figcaption>\n");
            html.Append(Bars("phases", plan.Phases.Select(p => (p.Name, (double)p.Sites)).ToList()));
            html.Append("</figure>\n");
        }
        html.Append("</section>\n");

        var rules = result.Findings.Select(f => f.RuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var subsystems = result.Findings.Select(f => Subsystems.Of(f.File)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var categories = result.Findings.Select(f => f.Category.Name()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        html.Append("<h2>Findings</h2>\n<form id=\"filters\" onsubmit=\"return false\">\n");
        Select(html, "category", categories);
        Select(html, "rule", rules);
        Select(html, "subsystem", subsystems);
        html.Append("<label>text <input id=\"f-text\" type=\"search\" placeholder=\"file, function, detail…\"></label>\n");
        html.Append($"<span id=\"shown\">{result.Findings.Length}</span> of {result.Findings.Length} shown\n</form>\n");
        html.Append("<table id=\"findings\">\n<thead><tr>");
        foreach (var column in new[] { "severity", "rule", "category", "subsystem", "file", "line", "function", "detail" })
        {
            html.Append($"<th data-key=\"{column}\">{column}</th>");
        }
        html.Append("</tr></thead>\n<tbody>\n");
        var lines = new Dictionary<string, string[]?>(StringComparer.Ordinal);
        foreach (var finding in result.Findings)
        {
            Row(html, result, finding, lines);
        }
        html.Append("</tbody>\n</table>\n");
        html.Append("<p class=\"meta\">Effort model and fields: docs/reports.md in the Parascope repository.</p>\n");
        html.Append("<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        output.Write(html.ToString());
    }

    private static void Row(StringBuilder html, ScanResult result, Finding finding, Dictionary<string, string[]?> lines)
    {
        var subsystem = Subsystems.Of(finding.File);
        html.Append($"<tr class=\"finding {finding.Severity.Name()}{(finding.Active ? string.Empty : " inactive")}\" data-category=\"{finding.Category.Name()}\" " +
                    $"data-rule=\"{E(finding.RuleId)}\" data-subsystem=\"{E(subsystem)}\">");
        html.Append($"<td>{finding.Severity.Name()}</td><td>{E(finding.RuleId)}</td><td>{finding.Category.Name()}</td><td>{E(subsystem)}</td>");
        html.Append($"<td>{E(finding.File)}</td><td>{finding.Line}</td><td>{E(finding.Function ?? string.Empty)}</td>");
        html.Append($"<td><details><summary>{E(finding.Detail)}{(finding.Active ? string.Empty : " <em>(inactive)</em>")}{(finding.Baseline == "new" ? " <b>new</b>" : string.Empty)}</summary>");
        html.Append($"<p class=\"action\">{E(finding.Action)}</p>");
        html.Append(Excerpt(result.Root, finding, lines));
        html.Append(Neighbourhood(result, finding));
        html.Append("</details></td></tr>\n");
    }

    /// <summary>The lines around the site, read from the scanned tree when the report is written (reports read text, they do not analyse).</summary>
    private static string Excerpt(string root, Finding finding, Dictionary<string, string[]?> cache)
    {
        if (!cache.TryGetValue(finding.File, out var text))
        {
            var path = Path.Combine(root, finding.File);
            try
            {
                text = File.Exists(path) ? File.ReadAllLines(path) : null;
            }
            catch (IOException)
            {
                text = null;
            }
            cache[finding.File] = text;
        }
        if (text is null || finding.Line < 1 || finding.Line > text.Length)
        {
            return string.Empty;
        }
        var excerpt = new StringBuilder("<pre class=\"code\">");
        for (var line = Math.Max(1, finding.Line - ExcerptContext); line <= Math.Min(text.Length, finding.Line + ExcerptContext); line++)
        {
            var mark = line == finding.Line ? " class=\"hit\"" : string.Empty;
            excerpt.Append($"<span{mark}>{line.ToString(CultureInfo.InvariantCulture).PadLeft(5)}  {E(text[line - 1])}</span>\n");
        }
        return excerpt.Append("</pre>").ToString();
    }

    private static string Neighbourhood(ScanResult result, Finding finding)
    {
        if (result.CallGraph is not { } graph || finding.GraphNode is not { } function || !graph.Contains(function))
        {
            return string.Empty;
        }
        var callers = graph.Callers(function).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var callees = graph.Callees(function).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        string List(List<string> names) => names.Count == 0
            ? "none"
            : string.Join(", ", names.Take(NeighbourLimit).Select(n => $"<code>{E(n)}</code>")) + (names.Count > NeighbourLimit ? $" and {names.Count - NeighbourLimit} more" : string.Empty);
        return $"<p class=\"graph\">called by {List(callers)}; calls {List(callees)}" +
               (finding.TransitiveCallers is { } t ? $"; reached from {t} functions" : string.Empty) +
               (finding.Phase is { } phase ? $"; phase <b>{E(phase)}</b>" : string.Empty) + "</p>";
    }

    private static void Card(StringBuilder html, string label, int value) =>
        html.Append($"<div class=\"card\"><span class=\"value\" id=\"card-{label}\">{value}</span><span class=\"label\">{label}</span></div>\n");

    private static void Select(StringBuilder html, string name, List<string> values)
    {
        html.Append($"<label>{name} <select id=\"f-{name}\"><option value=\"\">all</option>");
        foreach (var value in values)
        {
            html.Append($"<option>{E(value)}</option>");
        }
        html.Append("</select></label>\n");
    }

    private static readonly string[] Palette = ["#c0392b", "#2e86c1", "#28b463", "#b7950b", "#8e44ad", "#616a6b"];

    private static string StackedBars(ScanResult result)
    {
        var categories = result.Findings.Select(f => f.Category).Distinct().Order().ToList();
        var rows = result.Findings.GroupBy(f => Subsystems.Of(f.File), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (rows.Count == 0)
        {
            return "<p>No findings.</p>\n";
        }
        var max = rows.Max(r => r.Count());
        const int labelWidth = 110, barWidth = 300, rowHeight = 22;
        var height = rows.Count * rowHeight + 30;
        var svg = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"chart-subsystems\" width=\"{labelWidth + barWidth + 60}\" height=\"{height}\" role=\"img\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var y = i * rowHeight;
            svg.Append($"<text x=\"0\" y=\"{y + 15}\">{E(rows[i].Key)}</text>");
            var x = (double)labelWidth;
            foreach (var (category, index) in categories.Select((c, n) => (c, n)))
            {
                var count = rows[i].Count(f => f.Category == category);
                if (count == 0)
                {
                    continue;
                }
                var width = barWidth * (double)count / max;
                svg.Append($"<rect x=\"{F(x)}\" y=\"{y + 3}\" width=\"{F(width)}\" height=\"16\" fill=\"{Palette[index % Palette.Length]}\"><title>{E(rows[i].Key)} {category.Name()}: {count}</title></rect>");
                x += width;
            }
            svg.Append($"<text x=\"{F(x + 4)}\" y=\"{y + 15}\">{rows[i].Count()}</text>");
        }
        var legendX = 0;
        foreach (var (category, index) in categories.Select((c, n) => (c, n)))
        {
            svg.Append($"<rect x=\"{legendX}\" y=\"{height - 20}\" width=\"12\" height=\"12\" fill=\"{Palette[index % Palette.Length]}\"/><text x=\"{legendX + 16}\" y=\"{height - 10}\">{category.Name()}</text>");
            legendX += 110;
        }
        return svg.Append("</svg>\n").ToString();
    }

    private static string Bars(string id, List<(string Label, double Value)> bars)
    {
        var max = bars.Count == 0 ? 0 : bars.Max(b => b.Value);
        const int labelWidth = 160, barWidth = 300, rowHeight = 22;
        var svg = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"chart-{id}\" width=\"{labelWidth + barWidth + 60}\" height=\"{Math.Max(1, bars.Count) * rowHeight + 4}\" role=\"img\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var y = i * rowHeight;
            var width = max <= 0 ? 0 : barWidth * bars[i].Value / max;
            svg.Append($"<text x=\"0\" y=\"{y + 15}\">{E(bars[i].Label)}</text>");
            svg.Append($"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{F(width)}\" height=\"16\" fill=\"#2e86c1\"/>");
            svg.Append($"<text x=\"{F(labelWidth + width + 4)}\" y=\"{y + 15}\">{Markdown.MarkdownReportWriter.Number(bars[i].Value)}</text>");
        }
        return svg.Append("</svg>\n").ToString();
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.3em; } code, pre { font: 12px ui-monospace, monospace; }
        .meta { color: #666; }
        .cards { display: flex; gap: 1em; flex-wrap: wrap; }
        .card { border: 1px solid #ddd; border-radius: 6px; padding: .5em 1em; min-width: 6em; }
        .card .value { display: block; font-size: 1.6em; font-weight: bold; } .card .label { color: #666; }
        .charts { display: flex; gap: 2em; flex-wrap: wrap; margin: 1em 0; }
        figure { margin: 0; } figcaption { font-weight: bold; margin-bottom: .3em; }
        svg.chart text { font-size: 12px; fill: #333; }
        form { margin: .5em 0; display: flex; gap: 1em; flex-wrap: wrap; align-items: center; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border-bottom: 1px solid #eee; padding: 3px 6px; text-align: left; vertical-align: top; }
        th { cursor: pointer; background: #f6f6f6; user-select: none; } th.asc::after { content: " ▲"; } th.desc::after { content: " ▼"; }
        tr.error td:first-child { color: #c0392b; font-weight: bold; } tr.warning td:first-child { color: #b7950b; }
        tr.inactive { opacity: .6; }
        pre.code { background: #f8f8f8; padding: .4em; overflow-x: auto; } pre.code .hit { background: #fde2e2; display: inline-block; width: 100%; }
        .action { margin: .3em 0; } .graph { color: #444; }
        """;

    private const string Script = """
        (function () {
          var table = document.getElementById('findings');
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var inputs = ['category', 'rule', 'subsystem'].map(function (k) { return [k, document.getElementById('f-' + k)]; });
          var text = document.getElementById('f-text');
          // The text filter reads what the row says (cells, detail, action), not the code excerpt around it.
          function searchText(row) {
            if (row.searchText === undefined) {
              var parts = [];
              for (var i = 0; i < row.cells.length - 1; i++) { parts.push(row.cells[i].textContent); }
              parts.push(row.querySelector('summary').textContent, row.querySelector('.action').textContent);
              row.searchText = parts.join(' ').toLowerCase();
            }
            return row.searchText;
          }
          function apply() {
            var needle = text.value.toLowerCase();
            var shown = 0;
            rows.forEach(function (row) {
              var ok = inputs.every(function (p) { return !p[1].value || row.getAttribute('data-' + p[0]) === p[1].value; });
              if (ok && needle) { ok = searchText(row).indexOf(needle) >= 0; }
              row.hidden = !ok;
              if (ok) { shown++; }
            });
            document.getElementById('shown').textContent = String(shown);
          }
          inputs.forEach(function (p) { p[1].addEventListener('change', apply); });
          text.addEventListener('input', apply);
          var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
          headers.forEach(function (th, index) {
            th.addEventListener('click', function () {
              var ascending = !th.classList.contains('asc');
              headers.forEach(function (h) { h.classList.remove('asc', 'desc'); });
              th.classList.add(ascending ? 'asc' : 'desc');
              var numeric = th.getAttribute('data-key') === 'line';
              rows.sort(function (a, b) {
                var x = a.cells[index].firstChild ? a.cells[index].textContent : '';
                var y = b.cells[index].firstChild ? b.cells[index].textContent : '';
                var order = numeric ? (parseInt(x, 10) - parseInt(y, 10)) : x.localeCompare(y);
                return ascending ? order : -order;
              });
              rows.forEach(function (row) { body.appendChild(row); });
            });
          });
          // A link can carry filters: report.html#rule=x86.hlt&subsystem=osfmk&text=idle
          if (location.hash.length > 1) {
            location.hash.substring(1).split('&').forEach(function (pair) {
              var at = pair.indexOf('=');
              if (at < 0) { return; }
              var field = document.getElementById('f-' + decodeURIComponent(pair.substring(0, at)));
              if (field) { field.value = decodeURIComponent(pair.substring(at + 1)); }
            });
          }
          apply();
          window.parascope = { apply: apply, rows: rows };
          document.documentElement.setAttribute('data-ready', 'true');
        })();
        """;
}
