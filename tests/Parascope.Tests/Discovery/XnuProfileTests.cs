using Parascope.Discovery;
using Parascope.Discovery.Xnu;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Discovery;

/// <summary>
/// A small original tree in XNU's layout (config/MASTER, each subsystem's conf/, a .defs whose MIG header the
/// tree lacks, arch folders) built in a temp folder; every unit #errors out unless the profile configured it right.
/// </summary>
public sealed class XnuProfileTests
{
    internal static TempTree MiniXnu()
    {
        var tree = new TempTree();
        tree.Write("config/MASTER", """
            #  BASE =    [ medium sched_core ]
            #  RELEASE = [ BASE assertions ]
            #  KASAN = [ BASE assertions config_wkasan ]
            options		CONFIG_WKASAN		# <config_wkasan>
            options		CONFIG_WCOV		# <config_wkasan>
            options		WIDGET_ASSERT		# <assertions>
            options		WIDGET_KDP		# <debug>
            options		CONFIG_WIDGETS=7	# <medium>
            options		CONFIG_WIDGETS=2	# <small>
            options		CONFIG_ALWAYS
            options		CONFIG_NOT_SMALL	# <!small>
            pseudo-device	wloop	3		# <sched_core>
            """);
        tree.Write("config/MASTER.x86_64", """
            #  RELEASE = [ intel ]
            options		CONFIG_X86_FEATURE	# <intel>
            options		WIDGET_SHIM		# <intel>
            """);
        tree.Write("config/MASTER.arm64", "options		CONFIG_ARM_FEATURE\n");
        tree.Write("osfmk/conf/files", """
            OPTIONS/widget_assert		optional widget_assert
            OPTIONS/widget_kdp		optional widget_kdp
            osfmk/kern/widget.c		standard
            osfmk/kern/widget_shim.c	optional widget_shim
            san/memory/wkasan.c		optional config_wkasan
            """);
        // Only san's list has a header for CONFIG_WCOV: osfmk must not see it through meta_features.h.
        tree.Write("san/conf/files", "OPTIONS/CONFIG_WCOV		optional config_wcov\n");
        tree.Write("osfmk/kern/widget_shim.c", "int widget_shim;\n");
        tree.Write("san/memory/wkasan.c", """
            #if !KASAN || !defined(CONFIG_WKASAN)
            #error KASAN configuration wrong
            #endif
            #include <config_wcov.h>
            #if !CONFIG_WCOV
            #error san's own option header wrong
            #endif
            int wkasan;
            """);
        tree.Write("osfmk/conf/files.x86_64", "osfmk/x86_64/widget_pmap.c	standard\n");
        tree.Write("osfmk/conf/files.arm64", "osfmk/arm64/widget_pmap.c	standard\nosfmk/kern/widget_arm_only.c	standard\n");
        tree.Write("osfmk/conf/Makefile.template", "CFLAGS+= -include meta_features.h -DMACH_KERNEL_PRIVATE \\\n\t-DWIDGET_MACH_BUILD\n");
        tree.Write("bsd/conf/Makefile.template", "CFLAGS+= -include meta_features.h -DBSD_KERNEL_PRIVATE\n");
        tree.Write("makedefs/MakeInc.def", "DEFINES = -DAPPLE -DKERNEL -DKERNEL_PRIVATE -DXNU_KERNEL_PRIVATE \\\n\t-DPRIVATE $(CONFIG_DEFINES)\nCFLAGS_X86_64 = -Dx86_64 -DWIDGET_X86_DEFINE\nMACHINE_FLAGS_ARM64_VMAPPLE = -DWIDGET_BOARD_VM -march=armv8.5a\n"
            + PlatformConditionals);
        tree.Write("libkern/libkern/widget_version.h.template", "#define WIDGET_MAJOR ###WIDGET_MAJOR###\n#define WIDGET_NAME \"###WIDGET_NAME###\"\n");
        tree.Write("osfmk/mach/widget_notify.defs", "subsystem widget_notify 4200;\n");
        tree.Write("iokit/Kernel/.keep", string.Empty);
        tree.Write("osfmk/kern/widget.c", """
            #include <widget_assert.h>
            #include <widget_kdp.h>
            #include <wloop.h>
            #include <mach/widget_notify.h>
            #if !WIDGET_ASSERT || WIDGET_KDP || NWLOOP != 3
            #error option headers wrong
            #endif
            #if CONFIG_WIDGETS != 7 || !defined(CONFIG_ALWAYS) || !defined(CONFIG_NOT_SMALL)
            #error CONFIG_DEFINES wrong
            #endif
            #if !defined(MACH_KERNEL_PRIVATE) || !defined(WIDGET_MACH_BUILD) || defined(BSD_KERNEL_PRIVATE) || !defined(KERNEL)
            #error subsystem defines wrong
            #endif
            #if !defined(WIDGET_TARGET_OS_OSX) || defined(WIDGET_TARGET_OS_WATCH) || !defined(WIDGET_PLATFORM_MacOSX)
            #error platform defines wrong
            #endif
            #ifdef CONFIG_WCOV
            #error another subsystem's option header reached osfmk
            #endif
            int widget_count(void) { return CONFIG_WIDGETS; }
            """);
        tree.Write("osfmk/kern/widget_arm_only.c", "int widget_arm_only;\n");
        tree.Write("osfmk/x86_64/widget_pmap.c", """
            #if !defined(WIDGET_X86_DEFINE) || !defined(CONFIG_X86_FEATURE)
            #error arch defines wrong
            #endif
            int widget_pmap_x86;
            """);
        tree.Write("osfmk/arm64/widget_pmap.c", """
            #include <libkern/widget_version.h>
            #if !defined(CONFIG_ARM_FEATURE) || defined(CONFIG_X86_FEATURE) || !defined(WIDGET_BOARD_VM) || WIDGET_MAJOR != 0
            #error arch defines wrong
            #endif
            int widget_pmap_arm;
            """);
        tree.Write("osfmk/arm64/widget_start.s", "\tnop\n");
        tree.Write("bsd/kern/widget_sysctl.c", """
            #include <sys/kpi_widget.h>
            #if !defined(BSD_KERNEL_PRIVATE) || defined(MACH_KERNEL_PRIVATE)
            #error subsystem defines wrong
            #endif
            int widget_sysctl(void) { return WIDGET_KPI; }
            """);
        // The header lacks its final #endif, as bsd/sys/kpi_socketfilter.h of xnu-792.25.20 does.
        tree.Write("bsd/sys/kpi_widget.h", "#ifndef _SYS_KPI_WIDGET_H\n#define _SYS_KPI_WIDGET_H\n#define WIDGET_KPI 1\n");
        tree.Write("tests/userland_tool.c", "#include <stdio.h>\nint main(void) { return 0; }\n");
        return tree;
    }

    /// <summary>MakeInc.def's platform choice as xnu-11417 writes it, and a conditional on a variable a scan does not fix.</summary>
    private const string PlatformConditionals = """
        ifeq ($(PLATFORM),MacOSX)
            DEPLOYMENT_TARGET_FLAGS = -mmacosx-version-min=$(SDKVERSION) -DWIDGET_TARGET_OS_OSX
        else ifeq ($(PLATFORM),WatchOS)
            DEPLOYMENT_TARGET_FLAGS = -mwatchos-version-min=$(SDKVERSION) -DWIDGET_TARGET_OS_WATCH
        else
            DEPLOYMENT_TARGET_FLAGS =
        endif
        DEPLOYMENT_TARGET_DEFINES = -DWIDGET_PLATFORM_$(PLATFORM)
        ifeq ($(WIDGET_KASAN),1)
            CFLAGS_X86_64 += -DWIDGET_KASAN_ONLY
        endif

        """;

    [Fact]
    public void Make_conditionals_on_the_platform_keep_the_mac_branch_and_unknown_ones_keep_every_branch()
    {
        using var tree = new TempTree();
        tree.Write("MakeInc.def", "CFLAGS_X86_64 = -Dx86_64\n" + PlatformConditionals);

        var variables = MakefileVariables.Read(Path.Combine(tree.Root, "MakeInc.def"));

        Assert.Equal(["-mmacosx-version-min=$(SDKVERSION)", "-DWIDGET_TARGET_OS_OSX"], variables.Words("DEPLOYMENT_TARGET_FLAGS"));
        Assert.Equal(["-Dx86_64", "-DWIDGET_KASAN_ONLY"], variables.Words("CFLAGS_X86_64"));
    }

    /// <summary>Discovery of a test tree with clang's resource directory, stand-ins in CACHE.</summary>
    internal static DiscoveryResult Discover(TempTree tree, string cache, params string[] arches) =>
        UnitDiscovery.Discover(new DiscoveryRequest
        {
            Root = tree.Root,
            Arches = [.. arches],
            CacheDirectory = cache,
            ResourceDirectory = ResourceDirectory.Find(),
        });

    [Fact]
    public void An_xnu_layout_chooses_the_xnu_profile_and_every_unit_parses_clean()
    {
        using var tree = MiniXnu();
        using var cache = new TempTree();
        var outcome = tree.ScanWithUnits(cache.Root, "x86_64", "arm64");

        Assert.Null(outcome.Error);
        Assert.Equal("xnu", outcome.Result!.Profile);
        var units = outcome.Result.Health.Units;
        Assert.NotEmpty(units);
        Assert.All(units, unit => Assert.True(unit.Status == UnitStatus.Clean, $"{unit.File} ({unit.Arch}): {unit.FirstError}"));
    }

    [Fact]
    public void Each_unit_is_parsed_only_for_the_arches_that_compile_it()
    {
        using var tree = MiniXnu();
        using var cache = new TempTree();
        var units = Discover(tree, cache.Root, "x86_64", "arm64").Units;

        string[] ArchesOf(string file) => [.. units.Where(u => u.RelativePath == file).Select(u => u.Arch).Order(StringComparer.Ordinal)];
        Assert.Equal(["arm64", "x86_64"], ArchesOf("osfmk/kern/widget.c"));
        Assert.Equal(["x86_64"], ArchesOf("osfmk/x86_64/widget_pmap.c"));
        Assert.Equal(["arm64"], ArchesOf("osfmk/arm64/widget_pmap.c"));
        Assert.Equal(["arm64"], ArchesOf("osfmk/kern/widget_arm_only.c"));
        Assert.Equal(["arm64"], ArchesOf("osfmk/arm64/widget_start.s"));
        Assert.Empty(ArchesOf("tests/userland_tool.c"));
        // A common file whose option only the x86_64 MASTER selects.
        Assert.Equal(["x86_64"], ArchesOf("osfmk/kern/widget_shim.c"));
    }

    [Fact]
    public void A_file_only_the_kasan_configuration_builds_gets_kasan_defines_and_the_sanitizer()
    {
        using var tree = MiniXnu();
        using var cache = new TempTree();
        var units = Discover(tree, cache.Root, "x86_64", "arm64").Units.Where(u => u.RelativePath == "san/memory/wkasan.c").ToList();

        Assert.All(units, u => Assert.Equal("KASAN", u.Configuration));
        Assert.Contains("-fsanitize=address", Assert.Single(units, u => u.Arch == "x86_64").Arguments);
        Assert.Contains("-fsanitize=kernel-hwaddress", Assert.Single(units, u => u.Arch == "arm64").Arguments);
    }

    [Fact]
    public void A_tree_before_kasan_tbi_builds_arm64_kasan_with_the_classic_sanitizer_and_its_shift()
    {
        using var tree = MiniXnu();
        // xnu-4903 to -7195's MakeInc.def: one KASAN for every arch, the classic instrumentation (no kernel-hwaddress).
        var makeDefs = Path.Combine(tree.Root, "makedefs", "MakeInc.def");
        File.AppendAllText(makeDefs, """

            ifeq ($(KASAN),1)
            KASAN_SHIFT_ARM64=0xe000000000000000
            KASAN_SHIFT_X86_64=0xdffff80000000000
            KASAN_SHIFT=$($(addsuffix $(CURRENT_ARCH_CONFIG),KASAN_SHIFT_))
            CFLAGS_GEN += -DKASAN=1 -DKASAN_SHIFT=$(KASAN_SHIFT) -fsanitize=address \
            		-mllvm -asan-globals-live-support
            endif

            """);
        tree.Write("san/memory/wkasan.c", """
            #if KASAN && !__has_feature(address_sanitizer)
            #error "KASAN selected, but not enabled in compiler"
            #endif
            #ifndef KASAN_SHIFT
            #error KASAN_SHIFT undefined
            #endif
            int wkasan;
            """);
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "arm64");

        var unit = Assert.Single(outcome.Result!.Health.Units, u => u.File == "san/memory/wkasan.c");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
        var arguments = Assert.Single(Discover(tree, cache.Root, "arm64").Units, u => u.RelativePath == "san/memory/wkasan.c").Arguments;
        Assert.Contains("-DKASAN_SHIFT=0xe000000000000000", arguments);
        Assert.DoesNotContain("-fsanitize=kernel-hwaddress", arguments);
    }

    [Fact]
    public void A_tree_before_kasan_tbi_builds_x86_64_kasan_with_its_own_shift()
    {
        using var tree = MiniXnu();
        File.AppendAllText(Path.Combine(tree.Root, "makedefs", "MakeInc.def"), """

            ifeq ($(KASAN),1)
            KASAN_SHIFT_ARM64=0xe000000000000000
            KASAN_SHIFT_X86_64=0xdffff80000000000
            KASAN_SHIFT=$($(addsuffix $(CURRENT_ARCH_CONFIG),KASAN_SHIFT_))
            CFLAGS_GEN += -DKASAN=1 -DKASAN_SHIFT=$(KASAN_SHIFT) -fsanitize=address
            endif

            """);
        tree.Write("san/memory/wkasan.c", """
            #if KASAN && !__has_feature(address_sanitizer)
            #error "KASAN selected, but not enabled in compiler"
            #endif
            #ifndef KASAN_SHIFT
            #error KASAN_SHIFT undefined
            #endif
            int wkasan;
            """);
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "x86_64");

        var unit = Assert.Single(outcome.Result!.Health.Units, u => u.File == "san/memory/wkasan.c");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
        var arguments = Assert.Single(Discover(tree, cache.Root, "x86_64").Units, u => u.RelativePath == "san/memory/wkasan.c").Arguments;
        Assert.Contains("-DKASAN_SHIFT=0xdffff80000000000", arguments);
    }

    /// <summary>
    /// A published hw_defs.h without the PCI configuration ports, and a cpuid-like header whose inline probe passes
    /// them to the port routines, as xnu-4903's and xnu-6153's osfmk/i386 do.
    /// </summary>
    internal static TempTree TreeWithAStrippedHardwareHeader(string hardwareDefinitions)
    {
        var tree = MiniXnu();
        tree.Write("osfmk/i386/hw_defs.h", $$"""
            #ifndef _I386_HW_DEFS_H_
            #define _I386_HW_DEFS_H_
            #define pmWidgetBase 0x500
            {{hardwareDefinitions}}
            #endif /* _I386_HW_DEFS_H_ */
            """);
        tree.Write("osfmk/i386/widget_cpuid.h", """
            #include <i386/hw_defs.h>
            #include <stdint.h>
            extern void widget_outl(uint16_t port, uint32_t value);
            extern uint32_t widget_inl(uint16_t port);
            static inline int
            widget_is_server(void)
            {
            	widget_outl(cfgAdr, XeonCapID5);
            	return (widget_inl(cfgDat) >> 9) & 0x1f;
            }
            """);
        tree.Write("osfmk/x86_64/widget_probe.c", """
            #include <i386/widget_cpuid.h>
            _Static_assert(cfgAdr == 0xCF8 && cfgDat == 0xCFC, "PCI configuration mechanism #1 ports");
            _Static_assert(XeonCapID5 == 0x8001F398u, "bus 1, device 30, function 3, offset 0x98");
            int widget_probe(void) { return widget_is_server() + pmWidgetBase; }
            """);
        return tree;
    }

    [Fact]
    public void A_public_header_stripped_of_definitions_its_tree_uses_gets_them_appended_in_memory()
    {
        using var tree = TreeWithAStrippedHardwareHeader(string.Empty);
        var header = File.ReadAllText(Path.Combine(tree.Root, "osfmk/i386/hw_defs.h"));
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "x86_64");

        var unit = Assert.Single(outcome.Result!.Health.Units, u => u.File == "osfmk/x86_64/widget_probe.c");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
        var result = Discover(tree, cache.Root, "x86_64");
        var path = Path.Combine(tree.Root, "osfmk/i386/hw_defs.h");
        Assert.StartsWith(header, result.Overlays[path]);
        Assert.Equal("definitions its public copy lacks appended", result.OverlayRepairs[path]);
        Assert.Equal(header, File.ReadAllText(path));
    }

    [Fact]
    public void A_tree_that_defines_the_names_itself_keeps_its_own_header()
    {
        using var tree = TreeWithAStrippedHardwareHeader("""
            #define cfgAdr 0xCF8
            #define cfgDat 0xCFC
            #define XeonCapID5 0x8001F398u
            """);
        using var cache = new TempTree();

        var result = Discover(tree, cache.Root, "x86_64");

        Assert.DoesNotContain(Path.Combine(tree.Root, "osfmk/i386/hw_defs.h"), result.Overlays.Keys);
        var unit = Assert.Single(tree.ScanWithUnits(cache.Root, "x86_64").Result!.Health.Units, u => u.File == "osfmk/x86_64/widget_probe.c");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
    }

    [Fact]
    public void A_tree_that_builds_arm64_as_arm64e_parses_its_arm64_units_with_pointer_authentication()
    {
        using var tree = MiniXnu();
        // xnu-7195 and later: without a device map, MakeInc.def compiles every arm64 kernel for arm64e.
        File.AppendAllText(Path.Combine(tree.Root, "makedefs", "MakeInc.def"), """

            ifneq ($(filter ARM64,$(CURRENT_ARCH_CONFIG)),)
            ARCH_STRING_FOR_CURRENT_MACHINE_CONFIG ?=
            ifeq ($(ARCH_STRING_FOR_CURRENT_MACHINE_CONFIG),)
            export ARCH_STRING_FOR_CURRENT_MACHINE_CONFIG := $(shell echo $(CURRENT_ARCH_CONFIG) | tr A-Z a-z)
            ifneq ($(filter arm64,$(ARCH_STRING_FOR_CURRENT_MACHINE_CONFIG)),)
            export ARCH_STRING_FOR_CURRENT_MACHINE_CONFIG := arm64e
            endif
            endif
            endif

            """);
        // The board's "has PAC" only becomes the kernel's when the compiler targets arm64e (as pexpert's common
        // header does), and a structure is laid out right only with it (as the pmap of xnu-8792).
        tree.Write("osfmk/arm64/widget_board.h", """
            #define CPU_WIDGET_HAS_PAC 1
            #if defined(CPU_WIDGET_HAS_PAC) && defined(__arm64e__)
            #define WIDGET_HAS_PAC 1
            #endif
            """);
        // The tree's ptrauth header keys its intrinsics on Apple clang's macro; its signed pointers carry Apple's
        // fourth __ptrauth argument, an options string.
        tree.Write("osfmk/arm64/widget_ptrauth.h", """
            #ifdef __PTRAUTH_INTRINSICS__
            #define widget_string_discriminator(s) __builtin_ptrauth_string_discriminator(s)
            #else
            #define widget_string_discriminator(s) ({ (void)(s); (int)0; })
            #endif
            #if __has_feature(ptrauth_calls)
            #define WIDGET_SIGNED_PTR(t) __ptrauth(2, 1, widget_string_discriminator(t))
            #define WIDGET_SIGNED_PTR_AUTH_NULL(t) __ptrauth(2, 1, widget_string_discriminator(t), "authenticates-null-values")
            #else
            #define WIDGET_SIGNED_PTR(t)
            #define WIDGET_SIGNED_PTR_AUTH_NULL(t)
            #endif
            """);
        tree.Write("osfmk/arm64/widget_pmap.c", """
            #include <arm64/widget_board.h>
            #include <arm64/widget_ptrauth.h>
            struct widget_pmap {
            	struct widget_pmap *WIDGET_SIGNED_PTR("widget_pmap.nested") nested;
            	struct widget_pmap *WIDGET_SIGNED_PTR_AUTH_NULL("widget_pmap.parent") parent;
            	_Bool spare1;
            #if WIDGET_HAS_PAC
            	_Bool jop_off;
            #else
            	_Bool spare1;
            #endif
            };
            int widget_pmap_arm;
            """);
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "arm64");

        var unit = Assert.Single(outcome.Result!.Health.Units, u => u.File == "osfmk/arm64/widget_pmap.c");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
        var arguments = Assert.Single(Discover(tree, cache.Root, "arm64").Units, u => u.RelativePath == "osfmk/arm64/widget_pmap.c").Arguments;
        Assert.Contains("--target=arm64e-apple-macos", arguments);
    }

    [Fact]
    public void A_tree_that_names_no_arm64_sub_architecture_parses_arm64_as_plain_arm64()
    {
        using var tree = MiniXnu();
        using var cache = new TempTree();

        var arguments = Assert.Single(Discover(tree, cache.Root, "arm64").Units, u => u.RelativePath == "osfmk/arm64/widget_pmap.c").Arguments;

        Assert.Contains("--target=arm64-apple-macos", arguments);
    }

    [Fact]
    public void Assembly_units_get_the_arch_defines_and_include_paths()
    {
        using var tree = MiniXnu();
        using var cache = new TempTree();
        var asm = Assert.Single(Discover(tree, cache.Root, "arm64").Units, u => u.Language == SourceLanguage.Assembly);
        Assert.Contains("-DKERNEL", asm.Arguments);
        Assert.Contains("-DCONFIG_ARM_FEATURE", asm.Arguments);
        Assert.Contains("-I" + Path.Combine(tree.Root, "osfmk"), asm.Arguments);
    }

    [Fact]
    public void Stand_ins_go_to_the_cache_and_never_into_the_tree()
    {
        using var tree = MiniXnu();
        using var cache = new TempTree();
        var before = Directory.GetFiles(tree.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

        Discover(tree, cache.Root, "x86_64");

        Assert.Equal(before, Directory.GetFiles(tree.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray());
        var folder = XnuProfile.CacheFolder(cache.Root, tree.Root, "x86_64");
        Assert.Contains("#define WIDGET_ASSERT 1", File.ReadAllText(Path.Combine(folder, "config", "widget_assert.h")));
        Assert.Contains("#define WIDGET_KDP 0", File.ReadAllText(Path.Combine(folder, "config", "widget_kdp.h")));
        Assert.True(File.Exists(Path.Combine(folder, "include", "mach", "widget_notify.h")));
    }

    [Fact]
    public void A_tree_without_makefiles_or_config_still_gets_subsystem_defines()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/kern/plain.c", "#if !defined(MACH_KERNEL_PRIVATE) || !defined(KERNEL)\n#error\n#endif\nint plain;\n");
        tree.Write("bsd/kern/plain.c", "#if !defined(BSD_KERNEL_PRIVATE) || defined(MACH_KERNEL_PRIVATE)\n#error\n#endif\nint plain;\n");
        tree.Write("iokit/Kernel/plain.cpp", "#if !defined(IOKIT_KERNEL_PRIVATE)\n#error\n#endif\nclass Plain { int p; };\n");
        using var cache = new TempTree();
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, IncludeUnits = true, CacheDirectory = cache.Root });

        Assert.Equal("xnu", outcome.Result!.Profile);
        Assert.Equal(3, outcome.Result.Health.Units.Length);
        Assert.All(outcome.Result.Health.Units, unit => Assert.Equal(UnitStatus.Clean, unit.Status));
    }

    [Fact]
    public void The_generic_profile_can_be_forced_on_an_xnu_tree()
    {
        using var tree = MiniXnu();
        using var cache = new TempTree();
        var result = UnitDiscovery.Discover(new DiscoveryRequest { Root = tree.Root, Arches = ["x86_64"], Profile = "generic", CacheDirectory = cache.Root });
        Assert.Equal("generic", result.Profile);
        Assert.DoesNotContain(result.Units, u => u.Arguments.Contains("-DMACH_KERNEL_PRIVATE"));
    }

    [Fact]
    public void A_compile_commands_json_at_the_root_wins_over_the_profile()
    {
        using var tree = MiniXnu();
        var file = Path.Combine(tree.Root, "osfmk/kern/widget.c");
        tree.Write("compile_commands.json", $$"""[{"directory": "{{tree.Root}}", "command": "clang -DFROM_DATABASE -c osfmk/kern/widget.c", "file": "osfmk/kern/widget.c"}]""");
        using var cache = new TempTree();
        var result = Discover(tree, cache.Root, "x86_64");
        Assert.Equal(CompileCommandsDiscovery.ProfileName, result.Profile);
        var unit = Assert.Single(result.Units);
        Assert.Equal(file, unit.Path);
        Assert.Contains("-DFROM_DATABASE", unit.Arguments);
    }

    [Fact]
    public void Compile_commands_response_files_and_relative_directories_are_read()
    {
        using var tree = MiniXnu();
        tree.Write("build/flags.rsp", "-DFROM_RESPONSE_FILE \"-DQUOTED=a b\"\n");
        tree.Write("compile_commands.json", $$"""[{"directory": "{{tree.Root}}/build", "arguments": ["clang", "@flags.rsp", "-c", "../osfmk/kern/widget.c"], "file": "../osfmk/kern/widget.c"}]""");
        using var cache = new TempTree();
        var unit = Assert.Single(Discover(tree, cache.Root, "x86_64").Units);
        Assert.Equal(Path.Combine(tree.Root, "osfmk/kern/widget.c"), unit.Path);
        Assert.Contains("-DFROM_RESPONSE_FILE", unit.Arguments);
        Assert.Contains("-DQUOTED=a b", unit.Arguments);
    }

    [Theory]
    [InlineData("#ifndef A\n#define A\n#if B\n#endif\n", 1)]
    [InlineData("#ifndef A\n#define A\n#endif /* A */\n", 0)]
    [InlineData("/*\n#if inside a comment\n*/\n#ifdef X\n#endif\n", 0)]
    [InlineData("// see /* below\n#if A\n#endif\n", 0)]
    [InlineData("#define S \"#if\"\nchar q = '\"';\n#if A\n", 1)]
    [InlineData("#define LONG(x) \\\n  x /* not closed here\n  but here */\n#if A\n#endif\n", 0)]
    [InlineData("  #  ifdef SPACED\n#endif\n#if UNCLOSED\n", 1)]
    public void Unclosed_conditionals_are_counted(string text, int expected) =>
        Assert.Equal(expected, UnclosedConditionals.Count(text));

    [Fact]
    public void The_root_is_found_from_a_file_inside_the_tree()
    {
        using var tree = MiniXnu();
        Assert.Equal(tree.Root, XnuProfile.FindRoot(Path.Combine(tree.Root, "osfmk/kern/widget.c")));
    }
}
