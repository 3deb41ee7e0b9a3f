using System.Text.Json;
using static Parascope.Tests.Cli.CliRunner;

namespace Parascope.Tests.Cli;

/// <summary>parascope compare: the port across releases, in release order, with what appeared and went per hook.</summary>
public sealed class CompareCommandTests
{
    // The older release: a CR3 wrapper with two callers and one scattered cli.
    private const string OldPmap = """
        static inline void set_cr3(unsigned long value) { __asm__ volatile("mov %0, %%cr3" : : "r" (value)); }
        void pmap_enter(unsigned long pa) { set_cr3(pa); }
        void pmap_remove(unsigned long pa) { set_cr3(pa); }
        void i386_init(void) { __asm__ volatile("cli"); pmap_enter(0); }
        """;

    // The newer release adds an invlpg wrapper and a scattered CR3 load.
    private const string NewPmap = OldPmap + """

        static inline void invlpg(unsigned long va) { __asm__ volatile("invlpg (%0)" : : "r" (va) : "memory"); }
        void pmap_protect(unsigned long va) { invlpg(va); invlpg(va + 4096); }
        void pmap_switch(unsigned long pa) { pmap_protect(0); __asm__ volatile("mov %0, %%cr3" : : "r" (pa)); __asm__ volatile("nop"); }
        """;

    private static (string Old, string New, TempTree Outputs) ScanTwoReleases()
    {
        using var trees = new TempTree();
        trees.Write("xnu-9.2/osfmk/i386/pmap_mini.c", OldPmap);
        trees.Write("xnu-10.1/osfmk/i386/pmap_mini.c", NewPmap);
        var outputs = new TempTree();
        var old = Path.Combine(outputs.Root, "old.json");
        var current = Path.Combine(outputs.Root, "new.json");
        Assert.Equal(0, Run("scan", Path.Combine(trees.Root, "xnu-9.2"), "-j", "1", "--profile", "generic", "-o", old).Exit);
        Assert.Equal(0, Run("scan", Path.Combine(trees.Root, "xnu-10.1"), "-j", "1", "--profile", "generic", "-o", current).Exit);
        return (old, current, outputs);
    }

    [Fact]
    public void Compare_lists_each_release_s_readiness_and_recognised_hypervisors()
    {
        // Two releases of a VMM check (written for this test): the newer one recognises a second hypervisor vendor.
        const string older = """
            typedef struct { char cpuid_vmm_vendor[16]; } vmm_info_t;
            extern vmm_info_t *cpuid_vmm_info(void);
            extern int strcmp(const char *a, const char *b);
            int vmm_kind(void) { if (0 == strcmp(cpuid_vmm_info()->cpuid_vmm_vendor, "VMwareVMware")) return 1; return 0; }
            """;
        const string newer = """
            typedef struct { char cpuid_vmm_vendor[16]; } vmm_info_t;
            extern vmm_info_t *cpuid_vmm_info(void);
            extern int strcmp(const char *a, const char *b);
            int vmm_kind(void)
            {
                if (0 == strcmp(cpuid_vmm_info()->cpuid_vmm_vendor, "VMwareVMware")) return 1;
                if (0 == strcmp(cpuid_vmm_info()->cpuid_vmm_vendor, "KVMKVMKVM\0\0\0")) return 2;
                return 0;
            }
            """;
        using var trees = new TempTree();
        trees.Write("xnu-9.2/osfmk/i386/vmm_mini.c", older);
        trees.Write("xnu-10.1/osfmk/i386/vmm_mini.c", newer);
        var first = Path.Combine(trees.Root, "old.json");
        var second = Path.Combine(trees.Root, "new.json");
        Assert.Equal(0, Run("scan", Path.Combine(trees.Root, "xnu-9.2"), "-j", "1", "--profile", "generic", "-o", first).Exit);
        Assert.Equal(0, Run("scan", Path.Combine(trees.Root, "xnu-10.1"), "-j", "1", "--profile", "generic", "-o", second).Exit);
        var result = Path.Combine(trees.Root, "releases.json");
        var (exit, _, error) = Run("compare", first, second, "-o", result);
        Assert.True(exit == 0, error);

        using var document = JsonDocument.Parse(File.ReadAllText(result));
        var readiness = document.RootElement.GetProperty("readiness").EnumerateArray().ToList();
        Assert.Equal(["xnu-9.2", "xnu-10.1"], readiness.Select(r => r.GetProperty("release").GetString()));
        Assert.Equal(["\"VMwareVMware\""], readiness[0].GetProperty("hypervisors").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(["\"KVMKVMKVM\"", "\"VMwareVMware\""], readiness[1].GetProperty("hypervisors").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(2, readiness[1].GetProperty("items").GetArrayLength());
    }

    [Fact]
    public void Releases_come_in_version_order_with_each_hook_s_sites_and_what_appeared()
    {
        var (old, current, outputs) = ScanTwoReleases();
        using var _ = outputs;
        var result = Path.Combine(outputs.Root, "releases.json");
        var (exit, _, error) = Run("compare", current, old, "-o", result);    // given newest first
        Assert.True(exit == 0, error);

        using var document = JsonDocument.Parse(File.ReadAllText(result));
        var root = document.RootElement;
        Assert.Equal(["xnu-9.2", "xnu-10.1"], root.GetProperty("releases").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var hooks = root.GetProperty("hooks").EnumerateArray().ToDictionary(h => h.GetProperty("id").GetString()!);

        var cr3 = hooks["load-page-table-base"].GetProperty("releases");
        Assert.Equal(1, cr3[0].GetProperty("sites").GetInt32());
        Assert.Equal(2, cr3[1].GetProperty("sites").GetInt32());
        Assert.Equal(1, cr3[1].GetProperty("sitesAppeared").GetInt32());
        Assert.Equal(0, cr3[1].GetProperty("sitesGone").GetInt32());

        var tlb = hooks["invalidate-tlb-entry"].GetProperty("releases");
        Assert.Equal(JsonValueKind.Null, tlb[0].ValueKind);
        Assert.Equal(["invlpg"], tlb[1].GetProperty("wrappersAppeared").EnumerateArray().Select(w => w.GetString()));
    }

    [Fact]
    public void The_html_comparison_charts_the_work_of_each_release()
    {
        var (old, current, outputs) = ScanTwoReleases();
        using var _ = outputs;
        var html = Path.Combine(outputs.Root, "releases.html");
        Assert.Equal(0, Run("compare", old, current, "-o", html).Exit);
        var text = File.ReadAllText(html);
        Assert.Contains("<svg id=\"work-chart\"", text);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(text, "<rect class=\"bar\""));
        Assert.Contains("xnu-10.1", text);
    }

    [Fact]
    public void An_unknown_output_extension_or_a_single_report_is_an_input_error()
    {
        var (old, current, outputs) = ScanTwoReleases();
        using var _ = outputs;
        var (exit, _, error) = Run("compare", old, current, "-o", Path.Combine(outputs.Root, "releases.txt"));
        Assert.Equal(2, exit);
        Assert.Contains("unknown format", error);
        Assert.Equal(2, Run("compare", old).Exit);
    }
}
