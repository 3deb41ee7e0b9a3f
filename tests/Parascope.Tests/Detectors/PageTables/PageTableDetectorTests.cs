using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Tests.Detectors.PageTables;

public sealed class PageTableDetectorTests
{
    private static IReadOnlyList<Finding> Scan(string root, string? rules = null)
    {
        var outcome = ScanPipeline.Run(new ScanRequest { Root = root, Jobs = 1, Profile = "generic", RulesDirectory = rules });
        Assert.Null(outcome.Error);
        return outcome.Result!.Findings;
    }

    [Fact]
    public void A_wrapper_lists_its_call_sites_from_every_unit_as_expansions()
    {
        var findings = Scan(Path.Combine(FixturePaths.Root, "pagetables-helpers"));
        var wrapper = Assert.Single(findings, f => f.RuleId == "pt.pte-store-wrapper");
        Assert.Equal("pde_clear", wrapper.Function);
        Assert.Equal(
            ["osfmk/i386/pmap_helpers.c:24 clear_directory", "osfmk/i386/pmap_helpers.c:31 clear_first", "osfmk/i386/pmap_other.c:9 clear_last"],
            wrapper.Expansions.Select(e => $"{e.File}:{e.Line} {e.Function}"));
        Assert.Equal("3", wrapper.Properties["callers"]);
        Assert.Equal("pdep", wrapper.Properties["parameter"]);
    }

    [Fact]
    public void A_helper_the_rules_list_is_not_reported_again_as_a_wrapper()
    {
        var findings = Scan(Path.Combine(FixturePaths.Root, "pagetables-helpers"));
        Assert.DoesNotContain(findings, f => f.RuleId == "pt.pte-store-wrapper" && f.Function == "pmap_store_pte");
        Assert.Contains(findings, f => f.RuleId == "pt.pte-store-helper" && f.Properties["name"] == "pmap_store_pte");
    }

    [Fact]
    public void A_listed_helper_macro_and_the_listed_call_it_expands_to_are_one_site()
    {
        var findings = Scan(Path.Combine(FixturePaths.Root, "pagetables-helpers"));
        var site = Assert.Single(findings, f => f.RuleId == "pt.pte-store-helper" && f.Line == 17 && f.File.EndsWith("pmap_helpers.c", StringComparison.Ordinal));
        Assert.Equal("pmap_update_pte", site.Properties["name"]);
        Assert.Equal("protect_one", site.Function);
    }

    [Fact]
    public void A_store_reports_its_form_and_the_rule_type_behind_a_typedef_of_a_typedef()
    {
        var findings = Scan(Path.Combine(FixturePaths.Root, "pagetables-stores"));
        var leaf = Assert.Single(findings, f => f.RuleId == "pt.pte-store" && f.Detail == "*leafp = INTEL_PTE_REF");
        Assert.Equal("pt_entry_t", leaf.Properties["type"]);
        Assert.Equal("pointer", leaf.Properties["form"]);
        var cast = Assert.Single(findings, f => f.RuleId == "pt.pte-store" && f.Detail == "*(pt_entry_t *)va = 0");
        Assert.Equal("cast", cast.Properties["form"]);
    }

    [Fact]
    public void A_type_a_user_adds_in_a_rule_file_is_a_pte_type()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/x/pmap_x.c", """
            typedef unsigned long long ept_entry_t;
            void ept_set(ept_entry_t *e) { *e = 0; }
            """);
        var rules = Path.Combine(tree.Root, "..", Path.GetFileName(tree.Root) + "-rules");
        Directory.CreateDirectory(rules);
        try
        {
            File.WriteAllText(Path.Combine(rules, "ept.yaml"), """
                rules:
                  - id: site.ept-types
                    category: page-table
                    title: EPT entries
                    description: This port's EPT entry type.
                    arch: x86
                    match:
                      types: [ept_entry_t]
                    targets:
                      xen-pv: { severity: note, action: "None." }
                      xen-pvh: { severity: note, action: "None." }
                      xen-hvm: { severity: note, action: "None." }
                """);
            Assert.DoesNotContain(Scan(tree.Root), f => f.RuleId == "pt.pte-store");
            Assert.Single(Scan(tree.Root, rules), f => f.RuleId == "pt.pte-store");
        }
        finally
        {
            Directory.Delete(rules, recursive: true);
        }
    }

    [Fact]
    public void Every_target_of_every_page_table_rule_cites_an_action()
    {
        var rules = RuleLoader.LoadBuiltIn();
        Assert.Empty(rules.Errors);
        var pageTable = rules.Rules.Where(r => r.Category == FindingCategory.PageTable).ToList();
        Assert.Equal(7, pageTable.Count);
        Assert.All(pageTable, rule => Assert.All(ModelNames.AllTargets, target => Assert.NotEmpty(rule.For(target).Action)));
        Assert.Contains(pageTable, rule => rule.References.Any(r => r.Contains("MMU_NORMAL_PT_UPDATE", StringComparison.Ordinal)));
    }
}
