using Parascope.Model;
using Parascope.Planning;
using Parascope.Reports;
using Parascope.Results;
using static Parascope.Tests.Reports.ConstructedResults;

namespace Parascope.Tests.Reports;

public sealed class MarkdownReportTests
{
    private static readonly Parascope.Model.Rule Hlt = Rule("x86.hlt", FindingCategory.Instruction, 1, Severity.Error, Severity.Warning, Severity.Note);

    [Fact]
    public void The_summary_has_totals_new_findings_top_files_and_effort_per_target()
    {
        var result = Baseline.Apply(
            Result([Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("x86.hlt", "osfmk/a.c", 9, "g"), Finding("x86.hlt", "bsd/b.c", 3, "h")], [Hlt]),
            new HashSet<string>(["x86.hlt-osfmk/a.c-1", "x86.hlt-gone.c-1"]));
        var markdown = ReportWriter.ToText(Planner.Apply(result), ReportFormat.Markdown);
        Assert.Contains("## Parascope: 3 sites for xen-pv", markdown);
        Assert.Contains("| **new since baseline** | **2** |", markdown);
        Assert.Contains("| fixed | 1 |", markdown);
        Assert.Contains("- `bsd/b.c:3` error `x86.hlt`", markdown);
        Assert.Contains("| xen-pv | 3 | 3 | 0 | 0 | 0 |", markdown);
        Assert.Contains("| xen-pvh | 1.5 |", markdown);
        var top = markdown[markdown.IndexOf("### Top files", StringComparison.Ordinal)..];
        Assert.True(top.IndexOf("osfmk/a.c", StringComparison.Ordinal) < top.IndexOf("bsd/b.c", StringComparison.Ordinal));
    }

    [Fact]
    public void The_text_report_has_a_table_by_subsystem_and_category_and_colours_only_when_asked()
    {
        var result = Result([Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("x86.hlt", "bsd/b.c", 3, "h")], [Hlt]);
        var plain = ReportWriter.ToText(Planner.Apply(result), ReportFormat.Text);
        Assert.Contains("subsystem", plain);
        Assert.Matches(@"osfmk\s+1\s+1", plain);
        Assert.DoesNotContain("\u001b[", plain);
        Assert.Contains("\u001b[31merror", ReportWriter.ToText(Planner.Apply(result), ReportFormat.Text, colour: true));
    }

    private static ScanResult Hooked()
    {
        var pte = Rule("pt.store", FindingCategory.PageTable, 4, Severity.Error, Severity.Note, Severity.Note);
        var result = Result([
            Finding("pt.store", "osfmk/pmap.h", 10, "pmap_store_pte", FindingCategory.PageTable) with { Hook = "store-pte", Role = Parascope.Model.Finding.Change, Wrapper = true },
            Finding("pt.store", "osfmk/pmap.c", 20, "pmap_enter", FindingCategory.PageTable) with { Hook = "store-pte", Role = Parascope.Model.Finding.Change, Wrapper = false },
            Finding("x86.hlt", "bsd/b.c", 3, "h")], [pte, Hlt]);
        return result with
        {
            Interface = new PortInterface
            {
                Hooks = [new InterfaceHook
                {
                    Id = "store-pte", Operation = "Store a page-table entry", Phase = "mmu", Sites = 2, ScatteredSites = 1,
                    Actions = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange([KeyValuePair.Create(XenTarget.XenPv, "HYPERVISOR_mmu_update")]),
                }],
            },
            Phases = [new PortPhase("boot", "first", []), new PortPhase("mmu", "pmap", []), new PortPhase("runtime", "rest", [])],
        };
    }

    [Fact]
    public void The_summary_opens_with_the_hook_table_and_the_phases_and_folds_findings_under_their_hook()
    {
        var markdown = ReportWriter.ToText(Planner.Apply(Hooked()), ReportFormat.Markdown);
        var hooks = markdown.IndexOf("### Hooks (1)", StringComparison.Ordinal);
        var phases = markdown.IndexOf("### Phases (3 work items, 9 points, effort model 2)", StringComparison.Ordinal);
        Assert.True(hooks > 0 && phases > hooks && markdown.IndexOf("| | count |", StringComparison.Ordinal) > phases, markdown);
        Assert.Contains("| `store-pte` | Store a page-table entry | mmu | 2 | 1 | 0 | 0 | 8 | HYPERVISOR_mmu_update |", markdown);
        Assert.Contains("| mmu | 2 | 2 | 8 | 0 | implement-hook 1, route-site 1 |", markdown);
        var folded = markdown[markdown.IndexOf("<details><summary><code>store-pte</code>", StringComparison.Ordinal)..];
        Assert.True(folded.IndexOf("osfmk/pmap.c:20", StringComparison.Ordinal) < folded.IndexOf("<summary>no hook", StringComparison.Ordinal));
        Assert.Contains("`bsd/b.c:3`", folded[folded.IndexOf("<summary>no hook", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void The_text_report_opens_with_the_hooks_and_phases_and_lists_a_hook_s_findings_under_it()
    {
        var text = ReportWriter.ToText(Planner.Apply(Hooked()), ReportFormat.Text);
        var hooks = text.IndexOf("hooks (1; target xen-pv", StringComparison.Ordinal);
        var phases = text.IndexOf("phases (work items: 3, effort 9 points, model 2)", StringComparison.Ordinal);
        Assert.True(hooks > 0 && phases > hooks && text.IndexOf("subsystem", StringComparison.Ordinal) > phases, text);
        Assert.Matches(@"store-pte\s+mmu\s+2\s+1\s+0\s+0\s+8\s+HYPERVISOR_mmu_update", text);
        var hook = text.IndexOf("hook store-pte (Store a page-table entry; phase mmu): 2 changes, 1 scattered, 0 uses", StringComparison.Ordinal);
        Assert.True(hook > 0 && text.IndexOf("20:1 error pt.store in pmap_enter [scattered]", StringComparison.Ordinal) > hook, text);
        Assert.True(text.IndexOf("bsd/b.c", hook, StringComparison.Ordinal) > text.IndexOf("findings no hook takes", StringComparison.Ordinal));
    }
}
