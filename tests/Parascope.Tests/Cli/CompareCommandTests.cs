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

    // Two releases of a machine check (written for this test). The newer one accepts one more CPU model, adds a family
    // gate that panics, recognises KVM besides VMware, no longer starts the HPET, and defaults the bus frequency where
    // the older one panicked without it.
    private const string OlderMachine = """
        typedef struct { char cpuid_vmm_vendor[16]; } vmm_info_t;
        typedef struct { unsigned cpuid_family; unsigned cpuid_model; } cpu_info_t;
        extern vmm_info_t *cpuid_vmm_info(void);
        extern cpu_info_t *cpuid_info(void);
        extern int strcmp(const char *a, const char *b);
        extern void panic(const char *fmt, ...);
        extern void hpet_init(void);
        int vmm_kind(void) { if (0 == strcmp(cpuid_vmm_info()->cpuid_vmm_vendor, "VMwareVMware")) return 1; return 0; }
        void model_check(void)
        {
            switch (cpuid_info()->cpuid_model) {
            case 0x1a: case 0x1e: break;
            default: panic("Unsupported CPU");
            }
        }
        void clock_start(void) { hpet_init(); }
        extern unsigned long long EFI_get_frequency(const char *name);
        unsigned long long bus;
        void clock_init(void)
        {
            bus = EFI_get_frequency("FSBFrequency");
            if (bus == 0)
                panic("no bus frequency");
        }
        """;

    private const string NewerMachine = """
        typedef struct { char cpuid_vmm_vendor[16]; } vmm_info_t;
        typedef struct { unsigned cpuid_family; unsigned cpuid_model; } cpu_info_t;
        extern vmm_info_t *cpuid_vmm_info(void);
        extern cpu_info_t *cpuid_info(void);
        extern int strcmp(const char *a, const char *b);
        extern void panic(const char *fmt, ...);
        int vmm_kind(void)
        {
            if (0 == strcmp(cpuid_vmm_info()->cpuid_vmm_vendor, "VMwareVMware")) return 1;
            if (0 == strcmp(cpuid_vmm_info()->cpuid_vmm_vendor, "KVMKVMKVM\0\0\0")) return 2;
            return 0;
        }
        void family_check(void)
        {
            if (cpuid_info()->cpuid_family != 6)
                panic("unknown CPU family");
        }
        void model_check(void)
        {
            switch (cpuid_info()->cpuid_model) {
            case 0x1a: case 0x1e: case 0x2a: break;
            default: panic("Unsupported CPU");
            }
        }
        extern unsigned long long EFI_get_frequency(const char *name);
        unsigned long long bus;
        void clock_init(void)
        {
            bus = EFI_get_frequency("FSBFrequency");
            if (bus == 0)
                bus = 100000000ULL;
        }
        """;

    private static (string Old, string New, TempTree Trees) ScanTwoMachines()
    {
        var trees = new TempTree();
        trees.Write("xnu-9.2/osfmk/i386/machine_mini.c", OlderMachine);
        trees.Write("xnu-10.1/osfmk/i386/machine_mini.c", NewerMachine);
        var old = Path.Combine(trees.Root, "old.json");
        var current = Path.Combine(trees.Root, "new.json");
        Assert.Equal(0, Run("scan", Path.Combine(trees.Root, "xnu-9.2"), "-j", "1", "--profile", "generic", "-o", old).Exit);
        Assert.Equal(0, Run("scan", Path.Combine(trees.Root, "xnu-10.1"), "-j", "1", "--profile", "generic", "-o", current).Exit);
        return (old, current, trees);
    }

    [Fact]
    public void Compare_says_which_readiness_items_and_hypervisors_appeared_went_or_changed()
    {
        var (old, current, trees) = ScanTwoMachines();
        using var _ = trees;
        var result = Path.Combine(trees.Root, "releases.json");
        var (exit, _, error) = Run("compare", old, current, "-o", result);
        Assert.True(exit == 0, error);

        using var document = JsonDocument.Parse(File.ReadAllText(result));
        var readiness = document.RootElement.GetProperty("readiness");
        Assert.Equal(0, readiness[0].GetProperty("changes").GetArrayLength());
        var newer = readiness[1];
        Assert.Equal(["\"KVMKVMKVM\""], newer.GetProperty("hypervisorsAppeared").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(0, newer.GetProperty("hypervisorsGone").GetArrayLength());
        var changes = newer.GetProperty("changes").EnumerateArray()
            .Select(c => (Change: c.GetProperty("change").GetString(), Function: c.GetProperty("function").GetString(), Item: c.GetProperty("item").GetString(),
                Verdict: c.GetProperty("verdict").GetString(), Values: string.Join(" ", c.GetProperty("valuesAppeared").EnumerateArray().Select(v => v.GetString()))))
            .OrderBy(c => c.Function, StringComparer.Ordinal).ThenBy(c => c.Change, StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            ("changed", "clock_init", "Bus/TSC frequency from firmware properties", "needs-shim", ""),
            ("gone", "clock_start", "HPET", "needs-shim", ""),
            ("appeared", "family_check", "CPU identity", "blocking", ""),
            ("changed", "model_check", "CPU identity", "blocking", "0x2a"),
            ("appeared", "vmm_kind", "Hypervisor detection", "works-emulated", ""),
        ], changes);
        var clock = newer.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("function").GetString() == "clock_init");
        Assert.Equal("blocking", clock.GetProperty("verdictBefore").GetString());
        var blocking = newer.GetProperty("byVerdict")[0];
        Assert.Equal("blocking", blocking.GetProperty("verdict").GetString());
        Assert.Equal(2, blocking.GetProperty("items").GetInt32());
    }

    [Fact]
    public void The_markdown_comparison_lists_each_release_s_readiness_by_verdict_with_what_changed()
    {
        var (old, current, trees) = ScanTwoMachines();
        using var _ = trees;
        var markdown = Path.Combine(trees.Root, "releases.md");
        Assert.Equal(0, Run("compare", old, current, "-o", markdown).Exit);
        var text = File.ReadAllText(markdown);
        Assert.Contains("| recognised hypervisors | \"VMwareVMware\" | \"KVMKVMKVM\", \"VMwareVMware\" (+\"KVMKVMKVM\") |", text);
        // Before + in − out = now: the bus frequency moved from blocking to needs-shim, the HPET went.
        Assert.Contains("| blocking | 2 / 2 | 2 / 2 +1 −1 ~1 |", text);
        Assert.Contains("| needs-shim | 1 / 1 | 1 / 1 +1 −1 ~0 |", text);
        Assert.Contains("[was blocking]", text);
        var newer = text.IndexOf("## HVM readiness of xnu-10.1", StringComparison.Ordinal);
        Assert.True(newer > 0, text);
        var section = text[newer..];
        Assert.True(section.IndexOf("**blocking", StringComparison.Ordinal) < section.IndexOf("**works-emulated", StringComparison.Ordinal), section);
        Assert.Contains("family_check (compares 6; otherwise panic(\"unknown CPU family\")) [new]", section);
        Assert.Contains("model_check", section);
        Assert.Contains("now also compares 0x2a", section);
        Assert.Contains("**gone since xnu-9.2**", section);
        Assert.Contains("HPET: osfmk/i386/machine_mini.c", section);
    }

    [Fact]
    public void Within_a_function_a_changed_read_pairs_with_the_one_of_the_same_verdict_before_the_first_in_line()
    {
        // The older clock reads the bus frequency without naming it and panics without it; the newer one first reads
        // another property (with a default), then the bus frequency by name, still panicking without it.
        const string older = """
            extern unsigned long long EFI_FSB_frequency(void);
            extern void panic(const char *fmt, ...);
            unsigned long long bus;
            void clock_init(void)
            {
                bus = EFI_FSB_frequency();
                if (bus == 0)
                    panic("no bus frequency");
            }
            """;
        const string newer = """
            extern unsigned long long EFI_get_frequency(const char *name);
            extern void panic(const char *fmt, ...);
            unsigned long long art, bus;
            void clock_init(void)
            {
                art = EFI_get_frequency("ARTFrequency");
                bus = EFI_get_frequency("FSBFrequency");
                if (bus == 0)
                    panic("no bus frequency");
            }
            """;
        using var trees = new TempTree();
        trees.Write("xnu-9.2/osfmk/i386/clock_mini.c", older);
        trees.Write("xnu-10.1/osfmk/i386/clock_mini.c", newer);
        var first = Path.Combine(trees.Root, "old.json");
        var second = Path.Combine(trees.Root, "new.json");
        Assert.Equal(0, Run("scan", Path.Combine(trees.Root, "xnu-9.2"), "-j", "1", "--profile", "generic", "-o", first).Exit);
        Assert.Equal(0, Run("scan", Path.Combine(trees.Root, "xnu-10.1"), "-j", "1", "--profile", "generic", "-o", second).Exit);
        var result = Path.Combine(trees.Root, "releases.json");
        Assert.Equal(0, Run("compare", first, second, "-o", result).Exit);

        using var document = JsonDocument.Parse(File.ReadAllText(result));
        var changes = document.RootElement.GetProperty("readiness")[1].GetProperty("changes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("values").EnumerateArray().Single().GetString()!, c => c.GetProperty("change").GetString());
        Assert.Equal("changed", changes["\"FSBFrequency\""]);
        Assert.Equal("appeared", changes["\"ARTFrequency\""]);
    }

    [Fact]
    public void The_html_comparison_has_each_release_s_readiness_section()
    {
        var (old, current, trees) = ScanTwoMachines();
        using var _ = trees;
        var html = Path.Combine(trees.Root, "releases.html");
        Assert.Equal(0, Run("compare", old, current, "-o", html).Exit);
        var text = File.ReadAllText(html);
        Assert.Contains("<h2>HVM readiness by verdict", text);
        Assert.Contains("<h2>HVM readiness of xnu-10.1", text);
        Assert.Contains("<strong>gone since xnu-9.2</strong>", text);
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

    [Fact]
    public void Several_outputs_are_written_in_one_run_each_in_its_format()
    {
        var (old, current, outputs) = ScanTwoReleases();
        using var _ = outputs;
        string[] paths = [Path.Combine(outputs.Root, "releases.json"), Path.Combine(outputs.Root, "releases.md"), Path.Combine(outputs.Root, "releases.html")];
        var (exit, _, error) = Run("compare", old, current, "-o", paths[0], "-o", paths[1], "-o", paths[2]);
        Assert.True(exit == 0, error);
        using (var json = JsonDocument.Parse(File.ReadAllText(paths[0])))
        {
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        }
        Assert.StartsWith("#", File.ReadAllText(paths[1]));
        Assert.Contains("<html", File.ReadAllText(paths[2]), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_unwritable_output_is_an_input_error_before_any_report_is_read_and_nothing_is_written()
    {
        var (old, current, outputs) = ScanTwoReleases();
        using var _ = outputs;
        var good = Path.Combine(outputs.Root, "releases.json");
        // The reports are not even valid: the output is refused first.
        var (exit, _, error) = Run("compare", "/nonexistent/a.json", "/nonexistent/b.json", "-o", good, "-o", "/proc/releases.html");
        Assert.Equal(2, exit);
        Assert.StartsWith("parascope: /proc/releases.html: ", error);
        Assert.False(File.Exists(good));
    }
}
