using System.Diagnostics;
using System.Text.RegularExpressions;
using Parascope.Reports;

namespace Parascope.Tests.Reports;

public sealed class HtmlReportTests(SampleScan sample) : IClassFixture<SampleScan>
{
    [Fact]
    public void The_page_is_self_contained()
    {
        var html = ReportWriter.ToText(sample.Result, ReportFormat.Html);
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:)?//"), html);
        Assert.DoesNotContain("<link", html);
        Assert.Contains("<svg", html);
        Assert.Contains("id=\"chart-subsystems\"", html);
        Assert.Contains("id=\"chart-effort\"", html);
    }

    [Fact]
    public void Each_finding_has_a_row_with_a_code_excerpt_read_from_the_tree()
    {
        var html = ReportWriter.ToText(sample.Result, ReportFormat.Html);
        Assert.Equal(sample.Result.Findings.Length, Regex.Matches(html, "<tr class=\"finding ").Count);
        Assert.Equal(sample.Result.Findings.Length, Regex.Matches(html, "<pre class=\"code\" id=\"src-").Count);
        Assert.Contains("<span class=\"hit\">", html);
    }

    [Fact]
    public void The_page_opens_with_the_hook_table_and_the_phases_before_the_findings()
    {
        var html = ReportWriter.ToText(sample.Result, ReportFormat.Html);
        var hooks = html.IndexOf("<table id=\"hooks\"", StringComparison.Ordinal);
        var phases = html.IndexOf("<table id=\"phases\"", StringComparison.Ordinal);
        Assert.True(hooks > 0 && phases > hooks && html.IndexOf("<table id=\"findings\"", StringComparison.Ordinal) > phases);
        Assert.Equal(sample.Result.Interface!.Hooks.Length, Regex.Matches(html, "<tr class=\"hook\">").Count);
        Assert.Equal(sample.Result.Phases.Length, Regex.Matches(html, "<tr class=\"phase\">").Count);
    }

    [Fact]
    public void Findings_are_folded_under_their_hook_and_those_with_none_come_last()
    {
        var html = ReportWriter.ToText(sample.Result, ReportFormat.Html);
        var groups = Regex.Matches(html, "<tbody class=\"group\" id=\"hook-([a-z0-9-]+)\">").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal([.. sample.Result.Interface!.Hooks.Select(h => h.Id), "none"], groups);
        var storePte = html[html.IndexOf("id=\"hook-store-pte\"", StringComparison.Ordinal)..];
        storePte = storePte[..storePte.IndexOf("</tbody>", StringComparison.Ordinal)];
        Assert.Equal(sample.Result.Findings.Count(f => f.Hook == "store-pte"), Regex.Matches(storePte, "<tr class=\"finding ").Count);
    }

    [Fact]
    public void Each_finding_links_to_its_excerpt_and_each_caller_to_its_definition()
    {
        var html = ReportWriter.ToText(sample.Result, ReportFormat.Html);
        var sources = Regex.Matches(html, "<a class=\"src\" href=\"#(src-[0-9]+)\">").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(sample.Result.Findings.Length, sources.Distinct().Count());
        Assert.All(sources, id => Assert.Contains($"<pre class=\"code\" id=\"{id}\">", html));
        var callers = Regex.Matches(html, "<a class=\"caller\" href=\"#(fn-[0-9]+)\"><code>([^<]+)</code>").ToList();
        Assert.NotEmpty(callers);
        Assert.All(callers, m => Assert.Contains($"<dt id=\"{m.Groups[1].Value}\"><code>{m.Groups[2].Value}</code>", html));
        // pmap_enter_mini calls the pmap_store_pte wrapper: its finding links the caller to where it is defined.
        Assert.Matches("<dt id=\"fn-[0-9]+\"><code>pmap_enter_mini</code> osfmk/i386/pmap_mini.c:[0-9]+</dt>", html);
    }

    [Fact]
    public void Source_lines_in_excerpts_and_definitions_are_html_escaped()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle.c", """
            static int ready(int a, int b) { return a < b && b > 0; }
            void
            idle_cpu(int a)
            {
                if (ready(a, 1)) __asm__ volatile("hlt"); /* <b>halt</b> & wait */
            }
            void idle_loop(void) { idle_cpu(0); }
            """);
        var html = ReportWriter.ToText(ReportTrees.Scan(tree.Root), ReportFormat.Html);
        Assert.Contains("/* &lt;b&gt;halt&lt;/b&gt; &amp; wait */", html);
        Assert.DoesNotContain("<b>halt</b>", html);
        Assert.Matches("<dt id=\"fn-[0-9]+\"><code>idle_loop</code> osfmk/i386/idle.c:7</dt><dd><code>void idle_loop\\(void\\) \\{ idle_cpu\\(0\\); \\}", html);
    }

    [Fact]
    public void A_function_known_to_the_call_graph_shows_its_neighbourhood()
    {
        var html = ReportWriter.ToText(sample.Result, ReportFormat.Html);
        Assert.Contains("<p class=\"graph\">called by ", html);
    }

    /// <summary>
    /// The headless browser: PARASCOPE_CHROMIUM if set, else Debian's chromium (/usr/bin/chromium, chromium-browser,
    /// or either on PATH). Null when there is none.
    /// </summary>
    public static string? Chromium
    {
        get
        {
            var chosen = Environment.GetEnvironmentVariable(BrowserFactAttribute.ChromiumVariable);
            if (!string.IsNullOrEmpty(chosen))
            {
                return File.Exists(chosen) ? chosen : null;
            }
            var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            return new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }
                .Concat(path.SelectMany(folder => new[] { Path.Combine(folder, "chromium"), Path.Combine(folder, "chromium-browser") }))
                .FirstOrDefault(File.Exists);
        }
    }

    /// <summary>Why the browser test cannot run here, in words a user can act on.</summary>
    public static string ChromiumMissing()
    {
        var chosen = Environment.GetEnvironmentVariable(BrowserFactAttribute.ChromiumVariable);
        return string.IsNullOrEmpty(chosen)
            ? $"chromium not found: install Debian's chromium (apt-get install chromium) or set {BrowserFactAttribute.ChromiumVariable} to a Chromium binary"
            : $"chromium not found: {BrowserFactAttribute.ChromiumVariable}={chosen} is not a file";
    }

    private static string DumpDom(string page, string fragment)
    {
        using var profile = new TempTree();
        var start = new ProcessStartInfo(Chromium!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     $"--user-data-dir={profile.Root}", "--dump-dom", new Uri(page).AbsoluteUri + fragment,
                 })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var dom = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "chromium did not finish in 60 s");
        Assert.True(dom.Length > 0, "chromium printed no DOM: " + stderr.Result);
        return dom;
    }

    [BrowserFact]
    public void In_headless_chromium_the_page_loads_without_script_errors_and_a_filter_narrows_the_table()
    {
        Assert.True(Chromium is not null, ChromiumMissing());
        using var outputs = new TempTree();
        var page = Path.Combine(outputs.Root, "report.html");
        ReportWriter.WriteFile(sample.Result, ReportFormat.Html, page);
        var total = sample.Result.Findings.Length;

        var dom = DumpDom(page, string.Empty);
        Assert.Contains("data-ready=\"true\"", dom);
        Assert.Equal(total, Regex.Matches(dom, "<tr class=\"finding ").Count);
        Assert.Contains($"<span id=\"shown\">{total}</span>", dom);

        var rule = sample.Result.Findings.GroupBy(f => f.RuleId).OrderBy(g => g.Count()).First();
        var filtered = DumpDom(page, "#rule=" + Uri.EscapeDataString(rule.Key));
        Assert.Contains("data-ready=\"true\"", filtered);
        Assert.Contains($"<span id=\"shown\">{rule.Count()}</span>", filtered);
        Assert.Equal(total - rule.Count(), Regex.Matches(filtered, "<tr class=\"finding [^\"]*\"[^>]* hidden=\"\"").Count);

        var subsystem = DumpDom(page, "#subsystem=iokit&text=" + Uri.EscapeDataString("configRead32"));
        Assert.Contains("<span id=\"shown\">1</span>", subsystem);

        // A link to a finding's excerpt opens that finding (and only it) when the page loads.
        var opened = DumpDom(page, "#src-0");
        Assert.Contains("data-ready=\"true\"", opened);
        Assert.Single(Regex.Matches(opened, "<details open=\"\">"));
        Assert.Matches("id=\"finding-0\"[^\n]*<details open=\"\">", opened);
    }
}

/// <summary>
/// A test that needs a headless Chromium. It runs, and fails when none is found, unless PARASCOPE_NO_CHROMIUM says
/// why this machine cannot have one (.ci/run sets it when `apt-get install chromium` fails): then it is skipped,
/// and the skip reason says so.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumVariable = "PARASCOPE_CHROMIUM";
    public const string NoChromiumVariable = "PARASCOPE_NO_CHROMIUM";

    public BrowserFactAttribute()
    {
        var reason = Environment.GetEnvironmentVariable(NoChromiumVariable);
        if (!string.IsNullOrEmpty(reason))
        {
            Skip = $"no chromium on this machine ({NoChromiumVariable}: {reason}); the HTML report was not tested in a browser";
        }
    }
}
