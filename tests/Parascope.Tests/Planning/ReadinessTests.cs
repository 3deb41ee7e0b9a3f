using System.Text.Json;
using NJsonSchema;
using Parascope.Model;
using Parascope.Planning;
using Parascope.Reports;
using Parascope.Tests.Reports;

namespace Parascope.Tests.Planning;

/// <summary>
/// The HVM readiness summary: platform sites in boot order with a verdict — a gate that panics blocks, a booter
/// property needs a shim, an emulated device works — in plan.readiness and at the top of every report.
/// </summary>
public sealed class ReadinessTests
{
    // Written for these tests in a kernel's style: the boot path meets the local APIC, then the CPU check, then the clock.
    internal const string Machine = """
        typedef unsigned int uint32_t;
        typedef unsigned long long uint64_t;
        typedef struct { char cpuid_vendor[16]; uint32_t cpuid_model; } cpu_info_t;
        extern cpu_info_t *cpuid_info(void);
        extern void panic(const char *fmt, ...);
        extern int strncmp(const char *a, const char *b, unsigned long n);
        extern uint64_t EFI_get_frequency(const char *name);
        extern void lapic_init(void);

        static uint64_t bus;

        void cpu_check(void)
        {
            if (strncmp("GenuineIntel", cpuid_info()->cpuid_vendor, 12) != 0)
                panic("Unsupported CPU");
        }

        void clock_init(void)
        {
            bus = EFI_get_frequency("FSBFrequency");
        }

        void i386_init(void)
        {
            lapic_init();
            cpu_check();
            clock_init();
        }
        """;

    private static ScanResult Scan(TempTree tree, XenTarget target)
    {
        tree.Write("osfmk/i386/machine_boot.c", Machine);
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, Profile = "generic", Target = target });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }

    [Fact]
    public void A_vendor_gate_that_panics_blocks_and_shows_the_vendor_and_the_panic()
    {
        using var tree = new TempTree();
        var result = Scan(tree, XenTarget.XenHvm);
        var gate = Assert.Single(result.Findings, f => f.RuleId == "platform.cpu-identity-gate");
        Assert.Equal(FindingCategory.Platform, gate.Category);
        Assert.Contains("\"GenuineIntel\"", gate.Values);
        Assert.Equal("panic(\"Unsupported CPU\")", gate.Otherwise);
        Assert.Equal("blocking", gate.Verdict);
    }

    [Fact]
    public void A_panic_macro_that_calls_a_parenthesised_panic_still_gives_the_text_as_written()
    {
        // Kernels wrap panic in a macro that adds the location: (panic)(# ex "@" LOCATION, …); the gate still blocks.
        using var tree = new TempTree();
        tree.Write("osfmk/i386/model_gate.c", """
            typedef struct { unsigned cpuid_family; } cpu_info_t;
            extern cpu_info_t *cpuid_info(void);
            extern void panic(const char *fmt, ...);
            #define panic(ex, ...) (panic)(# ex "@" "model_gate.c", ## __VA_ARGS__)
            void model_gate(void)
            {
                unsigned family = cpuid_info()->cpuid_family;
                if (family != 6)
                    panic("unknown CPU family %u", family);
            }
            """);
        var outcome = ScanForHvm(tree);
        var gate = Assert.Single(outcome.Result!.Findings, f => f.RuleId == "platform.cpu-identity-gate");
        Assert.Equal("panic(\"unknown CPU family %u\")", gate.Otherwise);
        Assert.Equal(["6"], gate.Values.ToArray());
        Assert.Equal("blocking", gate.Verdict);
    }

    [Fact]
    public void A_firmware_frequency_tested_later_takes_the_panic_of_that_test()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/bus_clock.c", """
            typedef unsigned long long uint64_t;
            extern uint64_t EFI_get_frequency(const char *name);
            extern void panic(const char *fmt, ...);
            uint64_t bus;
            void bus_clock_init(void)
            {
                uint64_t busFreq;
                busFreq = EFI_get_frequency("FSBFrequency");
                if (busFreq != 0)
                    bus = busFreq;
                else
                    panic("no bus frequency");
            }
            """);
        var outcome = ScanForHvm(tree);
        var read = Assert.Single(outcome.Result!.Findings, f => f.RuleId == "platform.time-source-firmware");
        Assert.Equal(["\"FSBFrequency\""], read.Values.ToArray());
        Assert.Equal("panic(\"no bus frequency\")", read.Otherwise);
        Assert.Equal("blocking", read.Verdict);
    }

    [Fact]
    public void A_firmware_frequency_given_a_default_before_the_test_does_not_block_and_says_where_the_panic_still_is()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/bus_clock.c", """
            typedef unsigned long long uint64_t;
            extern uint64_t EFI_get_frequency(const char *name);
            extern void panic(const char *fmt, ...);
            extern int newer_cpu(void);
            uint64_t bus;
            void bus_clock_init(void)
            {
                uint64_t busFreq;
                busFreq = EFI_get_frequency("FSBFrequency");
                if (newer_cpu()) {
                    if (busFreq == 0)
                        busFreq = 133333333ULL;
                }
                if (busFreq != 0)
                    bus = busFreq;
                else
                    panic("no bus frequency");
            }
            """);
        var outcome = ScanForHvm(tree);
        var read = Assert.Single(outcome.Result!.Findings, f => f.RuleId == "platform.time-source-firmware");
        Assert.Equal("where busFreq is not set again (line 12): panic(\"no bus frequency\")", read.Otherwise);
        Assert.Equal("needs-shim", read.Verdict);
        Assert.Equal("12", read.Properties["reassigned-line"]);
    }

    // Written for these tests in a kernel's style: a branch-trace set-up that is off unless a boot-arg sets its mode,
    // and panics on a family it has no table for. {0} is the test before the switch.
    private const string BranchTrace = """
        typedef struct { unsigned cpuid_cpufamily; } cpu_info_t;
        typedef enum { TRACE_MODE_OFF, TRACE_MODE_USER, TRACE_MODE_KERNEL } trace_mode_t;
        extern void panic(const char *fmt, ...);
        extern void trace_off(void);
        #define FAMILY_ALPHA 0x1a2b3c4d
        #define FAMILY_BRAVO 0x5e6f7a8b
        {1}
        static unsigned trace_depth;
        void branch_trace_init(cpu_info_t *info, int is_boot_cpu)
        {
            {0}
            switch (info->cpuid_cpufamily) {
            case FAMILY_ALPHA:
                trace_depth = 16;
                break;
            case FAMILY_BRAVO:
                trace_depth = 32;
                break;
            default:
                panic("branch trace: unknown CPU family");
            }
        }
        """;

    /// <summary>TEXT written at PATH in a tree of its own, scanned for an unmodified HVM boot: the one finding of RULE.</summary>
    private static Finding OnlyFinding(string path, string text, string rule)
    {
        using var tree = new TempTree();
        tree.Write(path, text);
        var outcome = ScanForHvm(tree);
        Assert.Null(outcome.Error);
        return Assert.Single(outcome.Result!.Findings, f => f.RuleId == rule);
    }

    /// <summary>TREE scanned as a plain tree (generic profile) for an unmodified HVM boot, one job.</summary>
    private static ScanOutcome ScanForHvm(TempTree tree) =>
        ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, Profile = "generic", Target = XenTarget.XenHvm });

    // An original machine check in the shape of xnu's mca_get_availability(): {0} is the test that panics.
    private const string SteppingCheck = """
        typedef struct { unsigned cpuid_family; unsigned cpuid_model; unsigned cpuid_stepping; unsigned long long cpuid_features; } cpu_info_t;
        extern cpu_info_t *cpuid_info(void);
        extern void panic(const char *fmt, ...);
        #define MODEL_EARLY_MINI 0x3c
        #define MODEL_EARLY_ULT_MINI 0x45
        #define FEATURE_MCA_MINI 0x4000ULL
        void mca_mini_availability(void)
        {
            unsigned family = cpuid_info()->cpuid_family;
            unsigned model = cpuid_info()->cpuid_model;
            unsigned stepping = cpuid_info()->cpuid_stepping;
            unsigned long long features = cpuid_info()->cpuid_features;
            if ({0}) {
                panic("early steppings are not supported");
            }
        }
        """;

    private static Finding? SteppingGate(string condition)
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/mca_mini.c", SteppingCheck.Replace("{0}", condition, StringComparison.Ordinal));
        var outcome = ScanForHvm(tree);
        Assert.Null(outcome.Error);
        return outcome.Result!.Findings.SingleOrDefault(f => f.RuleId == "platform.cpu-identity-gate");
    }

    [Fact]
    public void A_panic_only_for_listed_models_does_not_block_an_unlisted_virtual_cpu()
    {
        var gate = SteppingGate("family == 6 &&\n        ((model == MODEL_EARLY_MINI && stepping < 3) ||\n        (model == MODEL_EARLY_ULT_MINI && stepping < 1))");
        Assert.NotNull(gate);
        Assert.NotEqual("blocking", gate.Verdict);
        Assert.Equal("goes on unless the machine is one of the listed values, which panic: panic(\"early steppings are not supported\")", gate.Otherwise);
        Assert.Equal("listed values", gate.Properties["panics-on"]);
    }

    [Theory]
    [InlineData("family != 6")] // every other family panics
    [InlineData("!(features & FEATURE_MCA_MINI)")] // a missing feature panics
    [InlineData("model == MODEL_EARLY_MINI || (features & FEATURE_MCA_MINI) == 0")] // an alternative without a listed value
    public void A_panic_for_what_is_not_listed_still_blocks(string condition)
    {
        var gate = SteppingGate(condition);
        Assert.NotNull(gate);
        Assert.Equal("blocking", gate.Verdict);
        Assert.False(gate.Properties.ContainsKey("panics-on"));
    }

    // An original device-tree walk in the shape of a kernel's trust-cache and interrupt-controller set-up: {0} is the body.
    private const string DeviceTreeSetup = """
        typedef void *DTEntry;
        #define kSuccess 0
        extern int SecureDTLookupEntry(DTEntry root, const char *path, DTEntry *found);
        extern int SecureDTGetProperty(DTEntry entry, const char *name, void const **value, unsigned int *size);
        extern void panic(const char *fmt, ...);
        extern int printf(const char *fmt, ...);
        typedef struct { unsigned long long base, length; } range_t;
        void dt_setup(void)
        {
            DTEntry entry;
            void const *value;
            unsigned int size;
            int err;
            {0}
        }
        """;

    private static IReadOnlyList<Finding> DeviceTreeReads(string body)
    {
        using var tree = new TempTree();
        tree.Write("pexpert/gen/dt_setup.c", DeviceTreeSetup.Replace("{0}", body, StringComparison.Ordinal));
        var outcome = ScanForHvm(tree);
        Assert.Null(outcome.Error);
        return [.. outcome.Result!.Findings.Where(f => f.RuleId == "platform.boot-args-device-tree").OrderBy(f => f.Line)];
    }

    [Fact]
    public void A_panic_on_a_found_property_s_size_is_not_the_lookup_s_consequence()
    {
        // The lookup's failure prints and returns; the property's absence skips the size check that panics.
        var reads = DeviceTreeReads("""
            err = SecureDTLookupEntry(0, "chosen/memory-map", &entry);
                if (err != kSuccess) {
                    printf("no memory map\n");
                    return;
                }
                err = SecureDTGetProperty(entry, "TrustCache", &value, &size);
                if (err == kSuccess) {
                    if (size != sizeof(range_t))
                        panic("unexpected TrustCache property size");
                }
            """);
        Assert.Equal(2, reads.Count);
        Assert.All(reads, r => Assert.Null(r.Otherwise));
        Assert.All(reads, r => Assert.Equal("needs-shim", r.Verdict));
    }

    [Fact]
    public void A_test_after_a_second_read_into_the_same_variable_belongs_to_the_second_read()
    {
        var reads = DeviceTreeReads("""
            err = SecureDTLookupEntry(0, "chosen/memory-map", &entry);
                err = SecureDTGetProperty(entry, "TrustCache", &value, &size);
                if (err != kSuccess)
                    panic("no TrustCache property");
            """);
        Assert.Equal([null, "panic(\"no TrustCache property\")"], reads.Select(r => r.Otherwise));
        Assert.Equal(["needs-shim", "blocking"], reads.Select(r => r.Verdict));
    }

    [Fact]
    public void A_read_into_the_same_variable_on_another_path_does_not_end_the_first_read_s_search()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/bus_clock.c", """
            typedef unsigned long long uint64_t;
            extern uint64_t EFI_get_frequency(const char *name);
            extern void panic(const char *fmt, ...);
            uint64_t bus;
            void bus_clock_init(int family)
            {
                uint64_t busFreq;
                switch (family) {
                case 1:
                    busFreq = EFI_get_frequency("FSBFrequency");
                    if (busFreq == 0)
                        busFreq = 133333333ULL;
                    break;
                default:
                    busFreq = EFI_get_frequency("FSBFrequency");
                    break;
                }
                if (busFreq != 0)
                    bus = busFreq;
                else
                    panic("no bus frequency");
            }
            """);
        var outcome = ScanForHvm(tree);
        var reads = outcome.Result!.Findings.Where(f => f.RuleId == "platform.time-source-firmware").OrderBy(f => f.Line).ToList();
        Assert.Equal(["where busFreq is not set again (line 12): panic(\"no bus frequency\")", "panic(\"no bus frequency\")"], reads.Select(r => r.Otherwise));
        Assert.Equal(["needs-shim", "blocking"], reads.Select(r => r.Verdict));
    }

    [Fact]
    public void A_missing_device_tree_node_that_panics_blocks()
    {
        var reads = DeviceTreeReads("""
            err = SecureDTLookupEntry(0, "/arm-io/gic", &entry);
                if (err != kSuccess) {
                    panic("cannot find GIC node in DT");
                }
            """);
        Assert.Equal("panic(\"cannot find GIC node in DT\")", Assert.Single(reads).Otherwise);
        Assert.Equal("blocking", reads[0].Verdict);
    }

    [Fact]
    public void A_blocking_site_of_a_per_rule_item_is_an_item_of_its_own()
    {
        using var tree = new TempTree();
        tree.Write("pexpert/gen/dt_setup.c", DeviceTreeSetup.Replace("{0}", """
            err = SecureDTLookupEntry(0, "chosen", &entry);
                err = SecureDTGetProperty(entry, "model", &value, &size);
                err = SecureDTLookupEntry(0, "/arm-io/gic", &entry);
                if (err != kSuccess)
                    panic("cannot find GIC node in DT");
            """, StringComparison.Ordinal));
        var outcome = ScanForHvm(tree);
        Assert.Null(outcome.Error);
        var items = PlanBuilder.Of(outcome.Result!).Readiness.Where(i => i.RuleId == "platform.boot-args-device-tree").ToList();
        Assert.Equal([("needs-shim", 2, 14), ("blocking", 1, 16)], items.Select(i => (i.Verdict, i.Sites, i.Line)).OrderBy(i => i.Item3));
    }

    // An original bus-ratio set-up in the shape of a kernel's tsc_init(): the ratio from an MSR, a division by it later.
    // {0} is what comes between the read and the division.
    internal const string BusRatio = """
        typedef unsigned long long uint64_t;
        extern uint64_t rdmsr64(unsigned int msr);
        #define MSR_PLATFORM_INFO 0xce
        #define bitfield(x, h, l) (((x) >> (l)) & ((1ULL << ((h) - (l) + 1)) - 1))
        static unsigned int ratio;
        static uint64_t bus_cvt, tsc_cvt, tsc_freq, bus_freq;
        void tsc_setup(int family, int flex)
        {
            uint64_t info;
            switch (family) {
            default: {
                info = rdmsr64(MSR_PLATFORM_INFO);
                {0}
                break;
            }
            }
            if (tsc_freq == bus_freq) {
                ratio = 1;
            } else {
                tsc_cvt = bus_cvt / ratio;
            }
        }
        """;

    private static Finding RatioRead(string between) =>
        OnlyFinding("osfmk/i386/tsc_setup.c", BusRatio.Replace("{0}", between, StringComparison.Ordinal), "platform.time-source-msr");

    [Fact]
    public void A_bus_ratio_read_that_a_later_division_divides_by_untested_blocks_and_says_where()
    {
        var read = RatioRead("ratio = (unsigned int)bitfield(info, 15, 8);");
        Assert.Equal("blocking", read.Verdict);
        Assert.Equal("divide error (a panic) when it reads 0: bus_cvt / ratio (osfmk/i386/tsc_setup.c:20) divides by ratio, not tested for 0", read.Otherwise);
        Assert.Equal("osfmk/i386/tsc_setup.c:20", read.Properties["divides-at"]);
    }

    [Fact]
    public void Reads_on_two_paths_into_the_ratio_a_division_uses_both_block_each_on_its_path()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/tsc_setup.c", BusRatio.Replace("switch (family) {", "switch (cpuid_cpufamily()) {", StringComparison.Ordinal)
            .Replace("static unsigned int ratio;", "static unsigned int ratio;\nextern unsigned int cpuid_cpufamily(void);", StringComparison.Ordinal)
            .Replace("default: {", """
            case 1:
                case 2: {
                    uint64_t status = rdmsr64(IA32_PERF_STS);
                    ratio = (unsigned int)bitfield(status, 44, 40);
                    break;
                }
                default: {
            """, StringComparison.Ordinal).Replace("{0}", "ratio = (unsigned int)bitfield(info, 15, 8);", StringComparison.Ordinal)
            .Replace("#define MSR_PLATFORM_INFO 0xce", "#define MSR_PLATFORM_INFO 0xce\n#define IA32_PERF_STS 0x198", StringComparison.Ordinal));
        var outcome = ScanForHvm(tree);
        Assert.Null(outcome.Error);
        var reads = outcome.Result!.Findings.Where(f => f.RuleId == "platform.time-source-msr").ToList();
        Assert.Equal(2, reads.Count);
        Assert.All(reads, r => Assert.Equal("blocking", r.Verdict));
        Assert.All(reads, r => Assert.Equal("osfmk/i386/tsc_setup.c:28", r.Properties["divides-at"]));
        Assert.Equal(["the path of case 1, 2 of switch (cpuid_cpufamily()) at line 12", "the default path of switch (cpuid_cpufamily()) at line 12"],
            reads.OrderBy(r => r.Line).Select(r => r.Properties["path"]));
        Assert.All(reads, r => Assert.EndsWith("; only on " + r.Properties["path"], r.Otherwise, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ratio = (unsigned int)bitfield(info, 15, 8);\n        if (ratio == 0)\n            ratio = 1;")] // tested for zero
    [InlineData("if (flex)\n            ratio = (unsigned int)bitfield(info, 15, 8);")] // set on one branch only
    [InlineData("ratio = (unsigned int)bitfield(info, 15, 8);\n        ratio = 4;")] // replaced
    public void A_bus_ratio_that_is_tested_for_zero_or_not_always_the_read_s_does_not_block(string between)
    {
        var read = RatioRead(between);
        Assert.Equal("needs-shim", read.Verdict);
        Assert.Null(read.Otherwise);
    }

    // An original topology read in the shape of a kernel's cpuid_set_info(): {0} is how the count register is read.
    private const string CoreCount = """
        typedef unsigned long long uint64_t;
        typedef struct { unsigned int cpuid_cpufamily; unsigned int core_count; unsigned int thread_count; } cpu_info_t;
        extern uint64_t rdmsr64(unsigned int msr);
        extern int rdmsr_carefully(unsigned int msr, unsigned int *lo, unsigned int *hi);
        #define MSR_CORE_THREAD_COUNT 0x35
        #define CPUFAMILY_INTEL_PENRYN 0x78ea4fbc
        #define CPUFAMILY_INTEL_MEROM 0x426f69ef
        void cpu_topology(cpu_info_t *info)
        {
            switch (info->cpuid_cpufamily) {
            case CPUFAMILY_INTEL_PENRYN:
                info->core_count = 2;
                break;
            case CPUFAMILY_INTEL_MEROM:
                info->core_count = 1;
                break;
            default: {
                {0}
                break;
            }
            }
        }
        """;

    [Fact]
    public void A_read_of_an_msr_xen_does_not_offer_blocks_with_a_general_protection_fault_on_its_path()
    {
        var read = OnlyFinding("osfmk/i386/cpu_topology.c",
            CoreCount.Replace("{0}", "uint64_t msr = rdmsr64(MSR_CORE_THREAD_COUNT);\n        info->core_count = (unsigned int)(msr >> 16);",
                StringComparison.Ordinal), "platform.msr-refused");
        Assert.Equal("blocking", read.Verdict);
        Assert.Equal("general-protection fault (a panic): Xen does not offer MSR_CORE_THREAD_COUNT (0x35) to a guest and answers its read "
            + "with #GP (msr_relaxed=1 in the domain configuration makes it read 0); only on the default path of switch (info->cpuid_cpufamily) at line 10",
            read.Otherwise);
        Assert.Equal("MSR_CORE_THREAD_COUNT", Assert.Single(read.Values));
    }

    [Fact]
    public void A_careful_read_of_an_msr_xen_does_not_offer_catches_the_fault_and_does_not_block()
    {
        var read = OnlyFinding("osfmk/i386/cpu_topology.c",
            CoreCount.Replace("{0}", "unsigned int lo, hi;\n        if (rdmsr_carefully(MSR_CORE_THREAD_COUNT, &lo, &hi) == 0)\n            info->core_count = hi;",
                StringComparison.Ordinal), "platform.msr-refused");
        Assert.Equal("needs-shim", read.Verdict);
        Assert.Null(read.Otherwise);
    }

    [Fact]
    public void A_flex_ratio_read_faults_before_the_division_by_the_ratio_read_after_it()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/tsc_setup.c", BusRatio
            .Replace("#define MSR_PLATFORM_INFO 0xce", "#define MSR_PLATFORM_INFO 0xce\n#define MSR_FLEX_RATIO 0x194", StringComparison.Ordinal)
            .Replace("info = rdmsr64(MSR_PLATFORM_INFO);", "uint64_t flex = rdmsr64(MSR_FLEX_RATIO);\n        info = rdmsr64(MSR_PLATFORM_INFO);", StringComparison.Ordinal)
            .Replace("{0}", "ratio = (unsigned int)bitfield(info, 15, 8);", StringComparison.Ordinal));
        var outcome = ScanForHvm(tree);
        Assert.Null(outcome.Error);
        var reads = outcome.Result!.Findings.Where(f => f.RuleId == "platform.time-source-msr").OrderBy(f => f.Line).ToList();
        Assert.Equal(["MSR_FLEX_RATIO", "MSR_PLATFORM_INFO"], reads.Select(r => r.Values[0]));
        Assert.All(reads, r => Assert.Equal("blocking", r.Verdict));
        Assert.StartsWith("general-protection fault (a panic): Xen does not offer MSR_FLEX_RATIO (0x194)", reads[0].Otherwise, StringComparison.Ordinal);
        Assert.StartsWith("divide error (a panic) when it reads 0", reads[1].Otherwise, StringComparison.Ordinal);
    }

    // An original TSC set-up in the shape of a kernel's cpuid.c and tsc.c: the TSC leaf's ratio goes into a structure
    // field, and the ART path divides by it.
    internal const string TscLeafHeader = """
        typedef struct { unsigned int numerator; unsigned int denominator; } tsc_leaf_t;
        typedef struct { unsigned int max_basic; unsigned int cpuid_cpufamily; tsc_leaf_t tsc_leaf; } cpu_info_t;
        extern cpu_info_t *cpuid_info(void);
        extern void cpuid_fn(unsigned int leaf, unsigned int *regs);
        """;

    internal const string TscLeafFill = """
        void cpuid_set_info(cpu_info_t *info)
        {
            unsigned int reg[4];
            if (info->max_basic >= 0x15) {
                cpuid_fn(0x15, reg);
                info->tsc_leaf.denominator = reg[0];
                info->tsc_leaf.numerator = reg[1];
            }
        }
        """;

    internal const string TscLeafDivide = """
        typedef unsigned long long uint64_t;
        extern uint64_t EFI_get_frequency(const char *name);
        uint64_t tsc_freq;
        void tsc_art(void)
        {
            uint64_t ref = EFI_get_frequency("ARTFrequency");
            cpu_info_t *infop = cpuid_info();
            uint64_t N = infop->tsc_leaf.numerator;
            uint64_t M = infop->tsc_leaf.denominator;
            switch (infop->cpuid_cpufamily) {
            case 0x37:
            case 0x38:
                tsc_freq = ref * N / M;
                break;
            }
        }
        """;

    [Fact]
    public void A_cpuid_leaf_stored_in_a_field_that_the_unit_divides_by_blocks_and_says_the_division_s_path()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/tsc_leaf.c", string.Join("\n", TscLeafHeader, TscLeafFill, TscLeafDivide));
        var outcome = ScanForHvm(tree);
        Assert.Null(outcome.Error);
        var leaf = Assert.Single(outcome.Result!.Findings, f => f.RuleId == "platform.time-source-cpuid");
        Assert.Equal("blocking", leaf.Verdict);
        Assert.Equal("divide error (a panic) when it reads 0: ref * N / M (osfmk/i386/tsc_leaf.c:26) divides by M, not tested for 0, "
            + "on the path of case 0x37, 0x38 of switch (infop->cpuid_cpufamily) at line 23", leaf.Otherwise);
        Assert.Null(Assert.Single(outcome.Result.Findings, f => f.RuleId == "platform.time-source-firmware").Otherwise);
    }

    [Fact]
    public void A_field_filled_in_one_unit_and_divided_by_in_another_blocks_through_the_whole_tree_join()
    {
        // As xnu-11417: cpuid.c stores leaf 0x15's denominator, tsc.c divides by it.
        var (leaf, _) = LeafReadOfTwoUnits(TscLeafDivide);
        Assert.Equal("blocking", leaf.Verdict);
        Assert.Equal("divide error (a panic) when it reads 0: ref * N / M (osfmk/i386/tsc_art.c:14) divides by M, not tested for 0, "
            + "on the path of case 0x37, 0x38 of switch (infop->cpuid_cpufamily) at line 11", leaf.Otherwise);
        Assert.Equal("osfmk/i386/tsc_art.c:14", leaf.Properties["divides-at"]);
    }

    [Fact]
    public void A_field_divided_by_only_after_a_zero_test_leaves_the_read_s_verdict()
    {
        var (leaf, _) = LeafReadOfTwoUnits(TscLeafDivide.Replace("tsc_freq = ref * N / M;", "if (M != 0)\n            tsc_freq = ref * N / M;", StringComparison.Ordinal));
        Assert.Equal("needs-shim", leaf.Verdict);
        Assert.Null(leaf.Otherwise);
    }

    [Fact]
    public void A_shard_carries_its_field_divisions_and_leaves_the_join_to_merge()
    {
        // Shard 1 of 1 holds every unit, yet its report is a shard's: it must not join, or a shard that holds the read
        // and some other division would disagree with the whole scan (MergeDiffTests checks the merge).
        var (leaf, divisions) = LeafReadOfTwoUnits(TscLeafDivide, shard: true);
        Assert.Null(leaf.Otherwise);
        Assert.Equal("osfmk/i386/tsc_art.c", Assert.Single(divisions).File);
    }

    /// <summary>
    /// The leaf-0x15 read of a tree whose cpuid_mini.c fills the field and whose tsc_art.c is DIVIDE, scanned whole or
    /// as shard 1/1, and the field divisions the report carries.
    /// </summary>
    private static (Finding Leaf, System.Collections.Immutable.ImmutableArray<FieldDivision> Divisions) LeafReadOfTwoUnits(string divide, bool shard = false)
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/cpu_mini.h", TscLeafHeader);
        tree.Write("osfmk/i386/cpuid_mini.c", "#include \"cpu_mini.h\"\n" + TscLeafFill);
        tree.Write("osfmk/i386/tsc_art.c", "#include \"cpu_mini.h\"\n" + divide);
        var outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = tree.Root,
            Jobs = 1,
            Profile = "generic",
            Target = XenTarget.XenHvm,
            Shard = shard ? (1, 1) : null,
        });
        Assert.Null(outcome.Error);
        return (Assert.Single(outcome.Result!.Findings, f => f.RuleId == "platform.time-source-cpuid"), outcome.Result.FieldDivisions);
    }

    // An original FPU set-up in the shape of a kernel's init_fpu(): {0} is the feature test, {1} what follows it.
    private const string FpuSetup = """
        typedef unsigned long long uint64_t;
        extern uint64_t cpuid_features(void);
        extern void panic(const char *fmt, ...);
        extern void enable_fxsave(void);
        #define CPUID_FEATURE_FXSR  (1ULL << 24)
        #define CPUID_FEATURE_SSE2  (1ULL << 26)
        #define CPUID_FEATURE_XSAVE (1ULL << 58)
        void fpu_setup(void)
        {
            if ({0}) {1}
        }
        """;

    private static Finding FpuGate(string test, string then) =>
        OnlyFinding("osfmk/i386/fpu_setup.c", FpuSetup.Replace("{0}", test, StringComparison.Ordinal).Replace("{1}", then, StringComparison.Ordinal),
            "platform.cpu-identity-gate");

    [Theory]
    [InlineData("cpuid_features() & CPUID_FEATURE_FXSR", "enable_fxsave(); else panic(\"fpu is not FXSR\");", "CPUID_FEATURE_FXSR is")]
    [InlineData("!(cpuid_features() & CPUID_FEATURE_FXSR)", "panic(\"fpu is not FXSR\");", "CPUID_FEATURE_FXSR is")]
    [InlineData("(cpuid_features() & (CPUID_FEATURE_FXSR | CPUID_FEATURE_SSE2)) == 0", "panic(\"fpu is not FXSR\");", "CPUID_FEATURE_FXSR, CPUID_FEATURE_SSE2 are")]
    public void A_panic_without_a_baseline_feature_every_guest_cpu_has_works_as_is_and_says_why(string test, string then, string features)
    {
        var gate = FpuGate(test, then);
        Assert.Equal("works-emulated", gate.Verdict);
        Assert.Equal($"never taken: {features} in every guest CPU's CPUID (baseline); without: panic(\"fpu is not FXSR\")", gate.Otherwise);
    }

    [Theory]
    [InlineData("cpuid_features() & CPUID_FEATURE_XSAVE", "enable_fxsave(); else panic(\"fpu is not FXSR\");")] // not every CPU has XSAVE
    [InlineData("cpuid_features() & CPUID_FEATURE_FXSR", "panic(\"fpu is not FXSR\");")] // panics when the feature is there
    [InlineData("cpuid_features() & (1ULL << 24)", "enable_fxsave(); else panic(\"fpu is not FXSR\");")] // a number, not a named feature
    [InlineData("(cpuid_features() & CPUID_FEATURE_FXSR) && (cpuid_features() & CPUID_FEATURE_XSAVE)", "enable_fxsave(); else panic(\"fpu is not FXSR\");")]
    public void A_panic_on_a_feature_outside_the_baseline_or_on_its_presence_still_blocks(string test, string then)
    {
        var gate = FpuGate(test, then);
        Assert.Equal("blocking", gate.Verdict);
        Assert.Equal("panic(\"fpu is not FXSR\")", gate.Otherwise);
        Assert.False(gate.Properties.ContainsKey("baseline-features"));
    }

    private static Finding BranchTraceGate(string test, string definition = "trace_mode_t trace_mode;") =>
        OnlyFinding("osfmk/i386/branch_trace.c", BranchTrace.Replace("{0}", test, StringComparison.Ordinal).Replace("{1}", definition, StringComparison.Ordinal),
            "platform.cpu-identity-gate");

    [Fact]
    public void A_model_gate_after_a_return_while_a_boot_mode_global_is_zero_does_not_block_and_says_when_it_panics()
    {
        var gate = BranchTraceGate("if (trace_mode == TRACE_MODE_OFF) {\n        trace_off();\n        return;\n    }");
        Assert.Equal("needs-shim", gate.Verdict);
        Assert.Equal("only once trace_mode is set (line 11 returns while trace_mode == TRACE_MODE_OFF, as a global is until set): "
            + "panic(\"branch trace: unknown CPU family\")", gate.Otherwise);
        Assert.Equal("11", gate.Properties["early-return-line"]);
    }

    [Fact]
    public void A_model_gate_after_a_return_while_a_global_flag_is_clear_does_not_block()
    {
        Assert.Equal("needs-shim", BranchTraceGate("if (!trace_enabled)\n        return;", "int trace_enabled;").Verdict);
    }

    [Theory]
    [InlineData("if (!is_boot_cpu)\n        return;", "trace_mode_t trace_mode;")] // a parameter: the boot CPU passes
    [InlineData("if (trace_mode == TRACE_MODE_USER)\n        return;", "trace_mode_t trace_mode;")] // zero goes on
    [InlineData("if (is_boot_cpu) {\n        if (trace_mode == TRACE_MODE_OFF)\n            return;\n    }", "trace_mode_t trace_mode;")] // not every path
    [InlineData("if (trace_mode == TRACE_MODE_OFF)\n        trace_off();", "trace_mode_t trace_mode;")] // no return
    [InlineData("if (trace_mode == TRACE_MODE_OFF)\n        return;", "trace_mode_t trace_mode = TRACE_MODE_KERNEL;")] // on unless set
    [InlineData("if (trace_table == 0)\n        return;", "static unsigned trace_storage[4]; unsigned *trace_table = trace_storage;")] // set at build
    public void A_model_gate_that_an_earlier_test_does_not_skip_by_default_still_blocks(string test, string definition)
    {
        var gate = BranchTraceGate(test, definition);
        Assert.Equal("blocking", gate.Verdict);
        Assert.Equal("panic(\"branch trace: unknown CPU family\")", gate.Otherwise);
    }

    [Fact]
    public void The_readiness_summary_lists_items_in_boot_order_with_their_verdicts()
    {
        using var tree = new TempTree();
        var plan = PlanBuilder.Of(Scan(tree, XenTarget.XenHvm));
        Assert.Equal(["Local APIC (xAPIC/x2APIC)", "CPU identity", "Bus/TSC frequency from firmware properties"], plan.Readiness.Select(i => i.Item));
        Assert.Equal(["works-emulated", "blocking", "needs-shim"], plan.Readiness.Select(i => i.Verdict));
        Assert.Equal(["i386_init", "cpu_check", "clock_init"], plan.Readiness.Select(i => i.Function));
        Assert.All(plan.Readiness, i => Assert.Equal("boot", i.Phase));
    }

    [Fact]
    public async Task The_json_plan_carries_readiness_with_the_contract_fields_and_matches_the_schema()
    {
        using var tree = new TempTree();
        var text = ReportWriter.ToText(Scan(tree, XenTarget.XenHvm), ReportFormat.Json);
        using var json = JsonDocument.Parse(text);
        var items = json.RootElement.GetProperty("plan").GetProperty("readiness").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        foreach (var name in new[] { "item", "file", "line", "function", "verdict", "phase" })
        {
            Assert.All(items, i => Assert.True(i.TryGetProperty(name, out _), name));
        }
        Assert.Equal("blocking", items[1].GetProperty("verdict").GetString());
        Assert.Equal("osfmk/i386/machine_boot.c", items[1].GetProperty("file").GetString());
        var schema = await JsonSchema.FromFileAsync(Path.Combine(ReportTrees.RepositoryRoot, "docs", "report.schema.json"));
        var errors = schema.Validate(text);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind} {e.Property}")));
    }

    [Fact]
    public async Task The_sarif_run_carries_the_json_plan_s_readiness_and_each_platform_result_its_verdict()
    {
        using var tree = new TempTree();
        var result = Scan(tree, XenTarget.XenHvm);
        var sarif = ReportWriter.ToText(result, ReportFormat.Sarif);
        var schema = await JsonSchema.FromFileAsync(ReportTrees.SarifSchema);
        var errors = schema.Validate(sarif);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));

        using var document = JsonDocument.Parse(sarif);
        using var json = JsonDocument.Parse(ReportWriter.ToText(result, ReportFormat.Json));
        var run = document.RootElement.GetProperty("runs")[0];
        // The same entries, field for field, as plan.readiness[] in the JSON report.
        Assert.Equal(JsonSerializer.Serialize(json.RootElement.GetProperty("plan").GetProperty("readiness")),
            JsonSerializer.Serialize(run.GetProperty("properties").GetProperty("readiness")));
        Assert.Equal(3, run.GetProperty("properties").GetProperty("readiness").GetArrayLength());
        var gate = Assert.Single(run.GetProperty("results").EnumerateArray(), r => r.GetProperty("ruleId").GetString() == "platform.cpu-identity-gate");
        Assert.Equal("blocking", gate.GetProperty("properties").GetProperty("verdict").GetString());
        Assert.Equal("CPU identity", gate.GetProperty("properties").GetProperty("item").GetString());
    }

    [Fact]
    public void A_sarif_report_for_another_target_has_no_readiness_property()
    {
        using var tree = new TempTree();
        using var document = JsonDocument.Parse(ReportWriter.ToText(Scan(tree, XenTarget.XenPv), ReportFormat.Sarif));
        Assert.False(document.RootElement.GetProperty("runs")[0].GetProperty("properties").TryGetProperty("readiness", out _));
    }

    [Fact]
    public void Other_targets_have_no_readiness_summary()
    {
        using var tree = new TempTree();
        Assert.Empty(PlanBuilder.Of(Scan(tree, XenTarget.XenPv)).Readiness);
    }

    [Theory]
    [InlineData(ReportFormat.Text, "HVM readiness")]
    [InlineData(ReportFormat.Markdown, "### HVM readiness")]
    [InlineData(ReportFormat.Html, "<h2>HVM readiness")]
    public void Every_report_opens_with_readiness_before_the_findings_and_blocking_first(ReportFormat format, string heading)
    {
        using var tree = new TempTree();
        var text = ReportWriter.ToText(Scan(tree, XenTarget.XenHvm), format);
        var readiness = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(readiness >= 0, text);
        // The findings (listed by rule id further down) come after it.
        Assert.True(text.IndexOf("platform.cpu-identity-gate", StringComparison.Ordinal) > readiness, text);
        var blocking = text.IndexOf("blocking", readiness, StringComparison.Ordinal);
        var emulated = text.IndexOf("works-emulated", readiness, StringComparison.Ordinal);
        Assert.True(blocking > readiness && blocking < emulated, text);
        Assert.Contains("Unsupported CPU", text, StringComparison.Ordinal);
    }
}
