using Parascope.Model;
using Parascope.Planning;
using static Parascope.Tests.Reports.ConstructedResults;

namespace Parascope.Tests.Planning;

public sealed class PortPlanTests
{
    private static readonly Parascope.Model.Rule Hlt = Rule("x86.hlt", FindingCategory.Instruction, 1, Severity.Error, Severity.Warning, Severity.Note);
    private static readonly Parascope.Model.Rule Pte = Rule("pt.store", FindingCategory.PageTable, 4, Severity.Error, Severity.Note, Severity.Note);

    [Fact]
    public void Effort_is_weight_times_the_severity_factor_for_each_target()
    {
        var plan = PortPlan.Of(Result([Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("pt.store", "osfmk/b.c", 2, "g", FindingCategory.PageTable)], [Hlt, Pte]));
        Assert.Equal(5.0, plan.Totals.Effort);
        Assert.Equal([5.0, 0.9, 0.5], plan.Targets.Select(t => t.Effort));
        Assert.Equal([2, 0, 0], plan.Targets.Select(t => t.Errors));
        Assert.Equal([0, 1, 0], plan.Targets.Select(t => t.Warnings));
    }

    [Fact]
    public void A_wrapper_counts_once_whatever_its_callers()
    {
        var wrapper = Finding("pt.store", "osfmk/pmap.c", 10, "pte_store", FindingCategory.PageTable) with
        {
            Subcategory = "wrapper",
            Expansions = [new SiteReference("osfmk/a.c", 1, "x"), new SiteReference("osfmk/b.c", 2, "y"), new SiteReference("bsd/c.c", 3, "z")],
        };
        var throughWrapper = Enumerable.Range(1, 3).Select(i => Finding("x86.hlt", $"osfmk/c{i}.c", i, $"caller{i}") with
        {
            Properties = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("wrapper", "halt_cpu"),
        });
        var plan = PortPlan.Of(Result([wrapper, .. throughWrapper], [Hlt, Pte]));
        Assert.Equal(4.0 + 1.0, plan.Totals.Effort);
        Assert.Equal(1, plan.Totals.Wrappers);
        Assert.Equal(4, plan.Totals.Sites);
    }

    [Fact]
    public void Inactive_code_is_counted_apart()
    {
        var plan = PortPlan.Of(Result([Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("x86.hlt", "osfmk/a.c", 5, "f", active: false)], [Hlt]));
        Assert.Equal(1, plan.Totals.Sites);
        Assert.Equal(1, plan.Totals.InactiveSites);
        Assert.Equal(1.0, plan.Totals.Effort);
        Assert.Equal(1.0, plan.Totals.InactiveEffort);
    }

    [Fact]
    public void Subsystems_and_categories_count_sites_and_distinct_functions()
    {
        var plan = PortPlan.Of(Result([
            Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("x86.hlt", "osfmk/a.c", 2, "f"), Finding("x86.hlt", "bsd/b.c", 3, "g"),
            Finding("pt.store", "osfmk/p.c", 4, "h", FindingCategory.PageTable)], [Hlt, Pte]));
        var osfmk = plan.BySubsystem.Single(s => s.Name == "osfmk");
        Assert.Equal((3, 2), (osfmk.Sites, osfmk.Functions));
        Assert.Equal(["bsd", "osfmk"], plan.BySubsystem.Select(s => s.Name));
        var instructions = plan.ByCategory.Single(s => s.Name == "instruction");
        Assert.Equal((3, 2), (instructions.Sites, instructions.Functions));
    }
}
