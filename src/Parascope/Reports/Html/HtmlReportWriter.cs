using System.Globalization;
using System.Net;
using System.Text;
using Parascope.Model;
using Parascope.Planning;
using Parascope.Results;

namespace Parascope.Reports.Html;

/// <summary>
/// One self-contained page that works offline: the hook table and the phases first, inline SVG charts (sites by
/// subsystem and category, effort per target, phases), a findings table folded under the hooks that sorts and filters
/// (category, rule, subsystem, text) with a code excerpt per finding read from the scanned tree now, its callers
/// linked to their definitions (listed at the end with their first lines), and the call-graph neighbourhood of each
/// function. No external resource is referenced.
/// </summary>
public static class HtmlReportWriter
{
    public const int ExcerptContext = 2;
    public const int NeighbourLimit = 8;

    public static void Write(ScanResult result, TextWriter output)
    {
        var summary = Summary.Of(result.Findings);
        var outline = ReportWriter.OutlineOf(result);
        var plan = outline.Plan;
        var functionIds = outline.Definitions.Keys.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => $"fn-{p.index}", StringComparer.Ordinal);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append($"<title>Parascope: {E(Path.GetFileName(result.Root))} for {result.Target.Name()}</title>\n");
        html.Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append($"<h1>Parascope report: <code>{E(result.Root)}</code></h1>\n");
        html.Append($"<p class=\"meta\">parascope {E(result.ToolVersion)} · target <b>{result.Target.Name()}</b> · arches {E(string.Join(", ", result.Arches))} · profile {E(result.Profile)} · " +
                    $"{result.Health.Counts.Total} units ({result.Health.Counts.WithErrors} with errors, {result.Health.Counts.Failed} failed)" +
                    (result.Libclang is { } libclang ? $" · parsed with {E(libclang.Describe())}" : string.Empty) + "</p>\n");
        Readiness(html, outline);
        Hooks(html, result, outline);
        Phases(html, plan);
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
        html.Append("</tr></thead>\n");
        var lines = new Dictionary<string, string[]?>(StringComparer.Ordinal);
        var row = 0;
        foreach (var hook in outline.Hooks.Where(h => !h.Findings.IsEmpty))
        {
            html.Append($"<tbody class=\"group\" id=\"hook-{E(hook.Id)}\"><tr class=\"group-head\"><th colspan=\"8\">hook <code>{E(hook.Id)}</code> " +
                        $"{E(hook.Hook?.Operation ?? string.Empty)} · phase {E(hook.Phase)} · {hook.Changes} changes, {hook.Scattered} scattered, {hook.Uses} uses</th></tr>\n");
            foreach (var finding in hook.Findings)
            {
                Row(html, result, finding, lines, functionIds, row++);
            }
            html.Append("</tbody>\n");
        }
        if (!outline.Unhooked.IsEmpty)
        {
            html.Append("<tbody class=\"group\" id=\"hook-none\"><tr class=\"group-head\"><th colspan=\"8\">no hook: driver API, inactive code, rules with no operation</th></tr>\n");
            foreach (var finding in outline.Unhooked)
            {
                Row(html, result, finding, lines, functionIds, row++);
            }
            html.Append("</tbody>\n");
        }
        html.Append("</table>\n");
        Definitions(html, result.Root, outline, functionIds, lines);
        html.Append(ReportWarnings.Html(result));
        html.Append("<p class=\"meta\">Effort model and fields: docs/reports.md in the Parascope repository.</p>\n");
        html.Append("<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        output.Write(html.ToString());
    }

    private static void Row(StringBuilder html, ScanResult result, Finding finding, Dictionary<string, string[]?> lines,
        Dictionary<string, string> functionIds, int index)
    {
        var subsystem = Subsystems.Of(finding.File);
        html.Append($"<tr class=\"finding {finding.Severity.Name()}{(finding.Active ? string.Empty : " inactive")}\" id=\"finding-{index}\" data-category=\"{finding.Category.Name()}\" " +
                    $"data-rule=\"{E(finding.RuleId)}\" data-subsystem=\"{E(subsystem)}\">");
        html.Append($"<td>{finding.Severity.Name()}</td><td>{E(finding.RuleId)}</td><td>{finding.Category.Name()}</td><td>{E(subsystem)}</td>");
        html.Append($"<td><a class=\"src\" href=\"#src-{index}\">{E(finding.File)}</a></td><td>{finding.Line}</td><td>{FunctionLink(finding.Function, functionIds)}</td>");
        var role = finding.Role == Finding.Use ? " <em>(use)</em>" : finding.Scattered == true ? " <em>(scattered)</em>" : finding.Wrapper == true ? " <em>(wrapper)</em>" : string.Empty;
        html.Append($"<td><details><summary>{E(finding.Detail)}{role}{(finding.Active ? string.Empty : " <em>(inactive)</em>")}{(finding.Baseline == "new" ? " <b>new</b>" : string.Empty)}</summary>");
        html.Append($"<p class=\"action\">{E(finding.Action)}</p>");
        html.Append(Excerpt(result.Root, finding, lines, $"src-{index}"));
        html.Append(Neighbourhood(ReportWriter.OutlineOf(result).Graph, finding, functionIds));
        html.Append("</details></td></tr>\n");
    }

    /// <summary>A function's name, linked to its definition in the functions list when the call graph knows where it is.</summary>
    private static string FunctionLink(string? function, Dictionary<string, string> functionIds) =>
        function is null ? string.Empty
        : functionIds.TryGetValue(function, out var id) ? $"<a class=\"fn\" href=\"#{id}\">{E(function)}</a>"
        : E(function);

    /// <summary>The hooks of the port's interface with their work, each linking to its findings below.</summary>
    /// <summary>HVM readiness first: what blocks the first boot, what needs a shim or a driver, what works emulated.</summary>
    private static void Readiness(StringBuilder html, ReportOutline outline)
    {
        if (outline.Readiness.IsEmpty)
        {
            return;
        }
        html.Append($"<h2>HVM readiness ({outline.Plan.Readiness.Length} items, in boot order)</h2>\n<table id=\"readiness\" class=\"summary\">\n" +
                    "<thead><tr><th>verdict</th><th>item</th><th>where</th><th>phase</th><th>what it needs</th></tr></thead>\n<tbody>\n");
        foreach (var (verdict, items) in outline.Readiness)
        {
            foreach (var item in items)
            {
                html.Append($"<tr class=\"{E(verdict)}\"><td>{E(verdict)}</td><td>{E(item.Item)}</td><td><code>{E(item.File)}:{item.Line}</code> {E(item.Function ?? string.Empty)}</td>" +
                            $"<td>{E(item.Phase)}</td><td>{E(ReportOutline.Describe(item))}</td></tr>\n");
            }
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static void Hooks(StringBuilder html, ScanResult result, ReportOutline outline)
    {
        if (outline.Hooks.IsEmpty)
        {
            return;
        }
        html.Append($"<h2>Hooks ({outline.Hooks.Length})</h2>\n<table id=\"hooks\" class=\"summary\">\n<thead><tr><th>hook</th><th>operation</th><th>phase</th><th>changes</th><th>scattered</th>" +
                    $"<th>uses</th><th>wrappers</th><th>effort</th><th>action ({result.Target.Name()})</th></tr></thead>\n<tbody>\n");
        foreach (var hook in outline.Hooks)
        {
            var id = hook.Findings.IsEmpty ? $"<code>{E(hook.Id)}</code>" : $"<a href=\"#hook-{E(hook.Id)}\"><code>{E(hook.Id)}</code></a>";
            var wrappers = hook.Hook?.Wrappers.Select(w => $"<code>{E(w.Function)}</code>").ToList() ?? [];
            html.Append($"<tr class=\"hook\"><td>{id}</td><td>{E(hook.Hook?.Operation ?? string.Empty)}</td><td>{E(hook.Phase)}</td><td>{hook.Changes}</td><td>{hook.Scattered}</td>" +
                        $"<td>{hook.Uses}</td><td>{(wrappers.Count == 0 ? "0" : $"{wrappers.Count}: {string.Join(", ", wrappers.Take(NeighbourLimit))}{(wrappers.Count > NeighbourLimit ? " …" : string.Empty)}")}</td>" +
                        $"<td>{Markdown.MarkdownReportWriter.Number(hook.Effort)}</td><td>{E(hook.Hook?.Actions.GetValueOrDefault(result.Target) ?? string.Empty)}</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    /// <summary>The phases in boot order with their work items (docs/reports.md, effort model).</summary>
    private static void Phases(StringBuilder html, PortPlan plan)
    {
        if (plan.Phases.IsEmpty)
        {
            return;
        }
        html.Append($"<h2>Phases</h2>\n<p class=\"meta\">{plan.WorkItems.Length} work items, {Markdown.MarkdownReportWriter.Number(plan.Totals.Effort)} points (effort model {EffortModel.Version}).</p>\n");
        html.Append("<table id=\"phases\" class=\"summary\">\n<thead><tr><th>phase</th><th>work items</th><th>changes</th><th>effort</th><th>sites reached</th><th>kinds</th></tr></thead>\n<tbody>\n");
        foreach (var phase in plan.Phases)
        {
            html.Append($"<tr class=\"phase\"><td title=\"{E(phase.Description)}\">{E(phase.Name)}</td><td>{phase.WorkItems}</td><td>{phase.ChangeSites}</td>" +
                        $"<td>{Markdown.MarkdownReportWriter.Number(phase.Effort)}</td><td>{phase.Sites}</td><td>{E(string.Join(", ", phase.ByKind.Select(k => $"{k.Key} {k.Value}")))}</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    /// <summary>Where each function the findings name is defined, with its first two lines read from the tree: the callers' links land here.</summary>
    private static void Definitions(StringBuilder html, string root, ReportOutline outline, Dictionary<string, string> functionIds, Dictionary<string, string[]?> cache)
    {
        if (outline.Definitions.IsEmpty)
        {
            return;
        }
        html.Append($"<h2>Functions ({outline.Definitions.Count})</h2>\n<dl id=\"functions\">\n");
        foreach (var (function, (file, line)) in outline.Definitions)
        {
            var text = Lines(root, file, cache);
            // Two lines: XNU writes the return type on the line above the name.
            var first = text is not null && line >= 1 && line <= text.Length
                ? string.Join(" ", text.Skip(line - 1).Take(2).Select(l => l.Trim()).Where(l => l.Length > 0))
                : null;
            html.Append($"<dt id=\"{functionIds[function]}\"><code>{E(function)}</code> {E(file)}:{line}</dt>");
            html.Append(first is null ? "<dd></dd>\n" : $"<dd><code>{E(first)}</code></dd>\n");
        }
        html.Append("</dl>\n");
    }

    /// <summary>A file of the scanned tree, read once (reports read text, they do not analyse); null when it cannot be read.</summary>
    private static string[]? Lines(string root, string file, Dictionary<string, string[]?> cache)
    {
        if (!cache.TryGetValue(file, out var text))
        {
            var path = Path.Combine(root, file);
            try
            {
                text = File.Exists(path) ? File.ReadAllLines(path) : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                text = null;
            }
            cache[file] = text;
        }
        return text;
    }

    /// <summary>The lines around the site, read from the scanned tree when the report is written, HTML-escaped.</summary>
    private static string Excerpt(string root, Finding finding, Dictionary<string, string[]?> cache, string id)
    {
        var text = Lines(root, finding.File, cache);
        if (text is null || finding.Line < 1 || finding.Line > text.Length)
        {
            return $"<pre class=\"code\" id=\"{id}\">(source not readable at {E(finding.File)}:{finding.Line})</pre>";
        }
        var excerpt = new StringBuilder($"<pre class=\"code\" id=\"{id}\">");
        for (var line = Math.Max(1, finding.Line - ExcerptContext); line <= Math.Min(text.Length, finding.Line + ExcerptContext); line++)
        {
            var mark = line == finding.Line ? " class=\"hit\"" : string.Empty;
            excerpt.Append($"<span{mark}>{line.ToString(CultureInfo.InvariantCulture).PadLeft(5)}  {E(text[line - 1])}</span>\n");
        }
        return excerpt.Append("</pre>").ToString();
    }

    /// <summary>The finding's callers (callerFunctions, linked to their definitions), its function's callees, reach and phase.</summary>
    private static string Neighbourhood(GraphExcerpt graph, Finding finding, Dictionary<string, string> functionIds)
    {
        var neighbours = finding.GraphNode is { } function ? graph.Neighbours.GetValueOrDefault(function) : null;
        if (neighbours is null && finding.CallerFunctions.IsEmpty)
        {
            return string.Empty;
        }
        var callers = finding.CallerFunctions.IsEmpty && neighbours is not null ? neighbours.Callers : finding.CallerFunctions;
        var callees = neighbours?.Callees ?? [];
        var callerList = callers.IsEmpty ? "none" : string.Join(", ", callers.Select(c =>
            functionIds.TryGetValue(c, out var id) ? $"<a class=\"caller\" href=\"#{id}\"><code>{E(c)}</code></a>" : $"<code>{E(c)}</code>"));
        var calleeList = callees.IsEmpty
            ? "none"
            : string.Join(", ", callees.Take(NeighbourLimit).Select(n => $"<code>{E(n)}</code>")) + (callees.Length > NeighbourLimit ? $" and {callees.Length - NeighbourLimit} more" : string.Empty);
        return $"<p class=\"graph\">called by {callerList}" + (finding.Callers is { } direct && direct > callers.Length ? $" ({direct} in all)" : string.Empty) +
               $"; calls {calleeList}" +
               (finding.TransitiveCallers is { } t ? $"; reached from {t} functions" : string.Empty) +
               (finding.Phase is { } phase ? $"; phase <b>{E(phase)}</b>" : string.Empty) +
               (finding.Hook is { } hook ? $"; hook <a href=\"#hook-{E(hook)}\"><code>{E(hook)}</code></a>" : string.Empty) + "</p>";
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
        table.summary { width: auto; margin-bottom: 1em; } table.summary th { cursor: default; } table#hooks td:first-child { white-space: nowrap; }
        tr.group-head th { background: #eef3f8; cursor: pointer; text-align: left; } tr.group-head th::before { content: "▾ "; }
        tbody.folded tr.group-head th::before { content: "▸ "; } tbody.folded tr.finding { display: none; }
        dl#functions dt { margin-top: .3em; } dl#functions dd { margin-left: 1.5em; } :target { background: #fff6c8; }
        """;

    private const string Script = """
        (function () {
          var table = document.getElementById('findings');
          var rows = Array.prototype.slice.call(table.querySelectorAll('tr.finding'));
          var groups = Array.prototype.slice.call(table.tBodies);
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
              // Rows sort within their hook's group; the groups keep the hook table's order.
              groups.forEach(function (group) {
                var members = Array.prototype.slice.call(group.querySelectorAll('tr.finding'));
                members.sort(function (a, b) {
                  var x = a.cells[index].firstChild ? a.cells[index].textContent : '';
                  var y = b.cells[index].firstChild ? b.cells[index].textContent : '';
                  var order = numeric ? (parseInt(x, 10) - parseInt(y, 10)) : x.localeCompare(y);
                  return ascending ? order : -order;
                });
                members.forEach(function (row) { group.appendChild(row); });
              });
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
          // A group folds and unfolds from its head row.
          groups.forEach(function (group) {
            var head = group.querySelector('tr.group-head');
            if (head) { head.addEventListener('click', function () { group.classList.toggle('folded'); }); }
          });
          // A link to a finding's source excerpt (#src-N) opens the finding, unfolding its group.
          function reveal(id) {
            var target = id && document.getElementById(id);
            if (!target) { return; }
            var group = target.closest('tbody.group');
            if (group) { group.classList.remove('folded'); }
            var details = target.closest('details');
            if (details) { details.open = true; }
            var row = target.closest('tr');
            (row || target).scrollIntoView();
          }
          document.addEventListener('click', function (e) {
            var link = e.target.closest && e.target.closest('a.src');
            if (link) { reveal(link.getAttribute('href').substring(1)); }
          });
          if (location.hash.indexOf('#src-') === 0) { reveal(location.hash.substring(1)); }
          apply();
          window.parascope = { apply: apply, rows: rows, reveal: reveal };
          document.documentElement.setAttribute('data-ready', 'true');
        })();
        """;
}
