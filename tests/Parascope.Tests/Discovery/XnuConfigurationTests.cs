using System.Text.Json;
using Parascope.Discovery;
using Parascope.Discovery.Xnu;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Discovery;

/// <summary>
/// An original tree in the OLD XNU layout (one MASTER per subsystem, as xnu-792 to xnu-2050 have): files only a
/// DEBUG kernel builds, options that belong to one subsystem, an option header only conf/files.i386 asks for, a
/// source file whose #if is never closed, and a host program among the kernel sources.
/// </summary>
public sealed class XnuConfigurationTests
{
    internal static TempTree OldXnu()
    {
        var tree = new TempTree();
        tree.Write("osfmk/conf/MASTER", """
            #  RELEASE = [ mach small ]
            #  DEBUG = [ mach small widget_kdb ]
            options		MACH_KERNEL		# <mach>
            options		WIDGET_KDB		# <widget_kdb>
            options		WIDGET_MONITOR		# <widget_monitor>
            pseudo-device	wfilter	4		# <mach>
            options		WIDGET_PRIMES="{3, 5, 7}", WIDGET_PRIMES_COUNT=3	# <mach>
            """);
        tree.Write("osfmk/conf/files", """
            OPTIONS/widget_kdb		optional widget_kdb
            osfmk/kern/core.c		standard
            osfmk/ddb/db_widget.c		optional widget_kdb
            osfmk/kern/never.c		optional widget_kdb not mach_kernel
            OPTIONS/wfilter		optional wfilter
            osfmk/kern/wfilter.c		optional wfilter
            osfmk/vm/vm_widget.c		standard
            osfmk/kern/trust.c		standard
            osfmk/kern/monitor.c		optional widget_monitor
            osfmk/kern/sptm_user.c		standard
            """);
        // Per-object flags as xnu-11417's osfmk/conf/Makefile.template writes them.
        tree.Write("osfmk/conf/Makefile.template", """
            CFLAGS+= -DMACH_KERNEL_PRIVATE
            core.o_CFLAGS_ADD += -DCORE_ONLY
            SEMANTIC_TYPES_SRC = $(notdir $(wildcard ${SRCROOT}/osfmk/vm/*.c))
            SEMANTIC_TYPES_OBJ = $(SEMANTIC_TYPES_SRC:.c=.o)

            define FORCE_UNSAFE_TYPES
            $1_CFLAGS_ADD += -DWIDGET_UNSAFE_TYPES
            endef

            $(foreach file,$(SEMANTIC_TYPES_OBJ),$(eval $(call FORCE_UNSAFE_TYPES, $(file))))
            """);
        tree.Write("osfmk/kern/wfilter.c", """
            #include <wfilter.h>
            #if NWFILTER != 4
            #error a pseudo-device's header counts it
            #endif
            int wfilter[NWFILTER];
            """);
        tree.Write("osfmk/vm/vm_widget.c", """
            #if !defined(WIDGET_UNSAFE_TYPES) || defined(CORE_ONLY)
            #error per-object flags wrong
            #endif
            int vm_widget;
            """);
        tree.Write("osfmk/kern/trust.c", """
            #include <TrustCache/API.h>
            #include <TrustCache/API.h>
            static TCType_t trust_type = kTCTypeWidget;
            int trust_ok(const TrustCache_t *cache) { return cache != 0 && trust_type < kTCTypeTotal; }
            """);
        tree.Write("osfmk/conf/files.i386", "OPTIONS/db_widget_commands	optional db_widget_commands\n");
        tree.Write("iokit/conf/MASTER", "#  RELEASE = [ iokit ]\noptions		IOKIT		# <iokit>\n");
        tree.Write("iokit/conf/files", "iokit/Kernel/IOWidget.cpp	standard\n");
        tree.Write("bsd/conf/files", "bsd/netwidget/aurp_widget.c	standard\nbsd/net/widget_bridge.c	standard\nosfmk/kperf/widget_bsd.c	standard\n"
            + "bsd/conf/wparam.c	standard\n");
        // config writes the selected maxusers line into confdep.h, which bsd/conf/param.c of xnu-792 to -2050 reads.
        tree.Write("bsd/conf/MASTER", """
            #  RELEASE = [ widget_medium ]
            maxusers	64		# <widget_large>
            maxusers	32		# <widget_medium>
            maxusers	8		# <widget_small>
            """);
        tree.Write("bsd/conf/wparam.c", """
            #include <confdep.h>
            #define WIDGET_NPROC (20 + 16 * MAXUSERS)
            _Static_assert(WIDGET_NPROC == 532, "the medium configuration's maxusers");
            int widget_maxproc = WIDGET_NPROC;
            """);
        // Listed by bsd's conf/files though it lives in osfmk, as xnu-11417's osfmk/kperf/kperfbsd.c.
        tree.Write("osfmk/kperf/widget_bsd.c", "#if !defined(BSD_KERNEL_PRIVATE) || defined(MACH_KERNEL_PRIVATE)\n#error compiled with bsd's flags\n#endif\nint widget_bsd;\n");
        tree.Write("osfmk/kern/core.c", """
            #include <widget_kdb.h>
            #if !defined(MACH_KERNEL) || WIDGET_KDB || !defined(CORE_ONLY) || defined(WIDGET_UNSAFE_TYPES)
            #error core.c is a RELEASE unit of osfmk
            #endif
            int core;
            """);
        tree.Write("osfmk/ddb/db_widget.c", """
            #include <widget_kdb.h>
            #include <db_widget_commands.h>
            #if !WIDGET_KDB
            #error db_widget.c is built only with widget_kdb
            #endif
            int db_widget;
            """);
        tree.Write("osfmk/kern/never.c", "#ifdef MACH_KERNEL\n#error built only without mach_kernel\n#endif\nint never;\n");
        // Built only with an option no configuration selects, as xnu-11417's SPTM pmap (config_sptm).
        tree.Write("osfmk/kern/monitor.c", "#if !WIDGET_MONITOR\n#error built only with widget_monitor\n#endif\n#include <iokit/IOWidgetLib.h>\nint monitor = IO_WIDGET_LIB;\n");
        // Spelled as macOS's case-insensitive file system lets a tree spell it (libkern's TestSerialization tests).
        tree.Write("iokit/IOKit/IOWidgetLib.h", "#define IO_WIDGET_LIB 1\n");
        // Apple's internal SDK headers: the tree carries one of them (its own wins), not the other.
        tree.Write("osfmk/sptm/debug_header.h", "#define WIDGET_DEBUG_HEADER 1\n");
        tree.Write("osfmk/kern/sptm_user.c", """
            #include <sptm/debug_header.h>
            #include <sptm/sptm_xnu.h>
            #if !WIDGET_DEBUG_HEADER
            #error the tree's own header must win
            #endif
            sptm_return_t
            widget_retype(sptm_paddr_t pa)
            {
            	sptm_retype_params_t params = { .raw = SPTM_RETYPE_PARAMS_NULL };
            	return sptm_retype(pa, XNU_DEFAULT, XNU_PAGE_TABLE, params);
            }
            """);
        tree.Write("osfmk/kern/orphan.c", "int orphan;\n");
        tree.Write("iokit/Kernel/IOWidget.cpp", """
            #if defined(MACH_KERNEL) || !defined(IOKIT)
            #error osfmk's options must not reach iokit
            #endif
            class IOWidget { int count; };
            """);
        // Opens an #ifdef it never closes, as xnu-792.25.20's bsd/netat/aurp_*.c do.
        tree.Write("bsd/netwidget/aurp_widget.c", "#ifdef AURP_WIDGET\nint aurp_widget;\n");
        // FreeBSD-derived code includes config(8)'s option headers, which XNU's config never writes.
        tree.Write("bsd/net/widget_bridge.c", "#include \"opt_wbridge.h\"\n#include <opt_winet.h>\nint widget_bridge;\n");
        tree.Write("osfmk/tools/widget_image.c", "#include <stdio.h>\nint\nmain(int argc, char **argv)\n{\n\treturn 0;\n}\n");
        return tree;
    }

    private static DiscoveryResult Discover(TempTree tree, string cache) => XnuProfileTests.Discover(tree, cache, "i386");

    private static SourceUnit UnitOf(DiscoveryResult result, string file) => Assert.Single(result.Units, u => u.RelativePath == file);

    [Fact]
    public void A_file_release_does_not_build_is_parsed_in_the_first_configuration_that_does()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        var result = Discover(tree, cache.Root);

        Assert.Equal(("DEBUG", true), (UnitOf(result, "osfmk/ddb/db_widget.c").Configuration, UnitOf(result, "osfmk/ddb/db_widget.c").InBuild));
        Assert.Equal(("RELEASE", true), (UnitOf(result, "osfmk/kern/core.c").Configuration, UnitOf(result, "osfmk/kern/core.c").InBuild));
    }

    [Fact]
    public void A_file_no_configuration_builds_is_still_parsed_and_marked_not_in_build()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        var result = Discover(tree, cache.Root);

        Assert.Equal(("RELEASE", false), (UnitOf(result, "osfmk/kern/never.c").Configuration, UnitOf(result, "osfmk/kern/never.c").InBuild));
        Assert.Equal(false, UnitOf(result, "osfmk/kern/orphan.c").InBuild);
    }

    [Fact]
    public void In_an_old_tree_a_subsystems_options_stay_in_that_subsystem()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        var result = Discover(tree, cache.Root);

        Assert.Contains("-DMACH_KERNEL", UnitOf(result, "osfmk/kern/core.c").Arguments);
        Assert.Contains("-DWIDGET_PRIMES={3, 5, 7}", UnitOf(result, "osfmk/kern/core.c").Arguments);
        Assert.Contains("-DWIDGET_PRIMES_COUNT=3", UnitOf(result, "osfmk/kern/core.c").Arguments);
        Assert.DoesNotContain("-DMACH_KERNEL", UnitOf(result, "iokit/Kernel/IOWidget.cpp").Arguments);
        Assert.Contains("-DIOKIT", UnitOf(result, "iokit/Kernel/IOWidget.cpp").Arguments);
    }

    [Fact]
    public void The_selected_maxusers_line_becomes_confdep_h()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "i386");

        var unit = Assert.Single(outcome.Result!.Health.Units, u => u.File == "bsd/conf/wparam.c");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
    }

    [Fact]
    public void A_tree_its_makefiles_build_with_gcc_sees_no_target_os_macros_from_the_compiler()
    {
        using var tree = OldXnu();
        // xnu-792's makedefs name no clang: the kernel was built by Apple's GCC 4.
        tree.Write("makedefs/MakeInc.cmd", "CC = cc\nMIG = $(NEXT_ROOT)/usr/bin/mig\n");
        tree.Write("bsd/conf/files", "bsd/net/wdeflate.c	standard\n");
        // As the zlib.h of xnu-792's bsd/net: its portable types are declared only off the classic Mac OS.
        tree.Write("bsd/net/wzlib.h", """
            #if !defined(WIDGET_MACOS) && !defined(TARGET_OS_MAC)
            typedef unsigned char wbyte;
            #endif
            typedef wbyte *wbytep;
            """);
        tree.Write("bsd/net/wdeflate.c", "#include <net/wzlib.h>\nwbytep widget_window;\n");
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "i386");

        var unit = Assert.Single(outcome.Result!.Health.Units, u => u.File == "bsd/net/wdeflate.c");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
    }

    [Fact]
    public void A_gcc_built_tree_s_own_gcc_stdarg_gives_va_start_its_next_argument()
    {
        using var tree = OldXnu();
        tree.Write("makedefs/MakeInc.cmd", "CC = cc\n");
        // As xnu-792's EXTERNAL_HEADERS/stdarg.h (GCC 2's): va_start is written with a GCC builtin clang lacks.
        tree.Write("EXTERNAL_HEADERS/stdarg.h", """
            #ifndef _WIDGET_STDARG_H
            #define _WIDGET_STDARG_H
            typedef char *__gnuc_va_list;
            typedef __gnuc_va_list va_list;
            #define va_start(AP, LASTARG) (AP = ((__gnuc_va_list) __builtin_next_arg (LASTARG)))
            #define va_end(AP) ((void)0)
            #endif
            """);
        // C++: in C, clang takes the unknown name for an implicitly declared function.
        tree.Write("libkern/conf/files", "libkern/gen/wlog.cpp	standard\n");
        tree.Write("libkern/gen/wlog.cpp", """
            #include <stdarg.h>
            int widget_log(const char *format, ...)
            {
            	va_list ap;
            	va_start(ap, format);
            	va_end(ap);
            	return format[0];
            }
            """);
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "i386");

        var unit = Assert.Single(outcome.Result!.Health.Units, u => u.File == "libkern/gen/wlog.cpp");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
    }

    /// <summary>
    /// As xnu-792: EXTERNAL_HEADERS/mach-o/loader.h has the 64-bit names, osfmk/mach-o/loader.h (a folder without a
    /// Makefile: never exported) lacks them; bsd's units got the former, osfmk's own units the latter.
    /// </summary>
    private static TempTree TreeWithAnUnexportedCopyOfAnExternalHeader()
    {
        var tree = OldXnu();
        tree.Write("EXTERNAL_HEADERS/mach-o/wloader.h", "#define WIDGET_MAGIC 0xfeedface\n#define WIDGET_MAGIC_64 0xfeedfacf\n");
        tree.Write("osfmk/mach-o/wloader.h", "#define WIDGET_MAGIC 0xfeedface\n#define WIDGET_OSFMK_COPY 1\n");
        tree.Write("bsd/conf/files", "bsd/kern/wexec.c	standard\n");
        tree.Write("bsd/kern/wexec.c", "#include <mach-o/wloader.h>\nunsigned widget_magic64 = WIDGET_MAGIC_64;\n");
        tree.Write("osfmk/kern/wheader.c", "#include <mach-o/wloader.h>\nint widget_copy = WIDGET_OSFMK_COPY;\n");
        return tree;
    }

    [Fact]
    public void Other_subsystems_find_an_external_header_before_a_copy_no_makefile_exports()
    {
        using var tree = TreeWithAnUnexportedCopyOfAnExternalHeader();
        using var cache = new TempTree();

        var units = tree.ScanWithUnits(cache.Root, "i386").Result!.Health.Units;

        Assert.All(units.Where(u => u.File is "bsd/kern/wexec.c" or "osfmk/kern/wheader.c"),
            unit => Assert.True(unit.Status == UnitStatus.Clean, $"{unit.File}: {unit.FirstError}"));
        Assert.Equal(2, units.Count(u => u.File is "bsd/kern/wexec.c" or "osfmk/kern/wheader.c"));
    }

    [Fact]
    public void A_copy_its_folder_s_makefile_may_export_keeps_its_place_on_the_path()
    {
        using var tree = TreeWithAnUnexportedCopyOfAnExternalHeader();
        tree.Write("osfmk/mach-o/Makefile", "EXPORT_MI_LIST = wloader.h\nEXPORT_MI_DIR = mach-o\n");
        using var cache = new TempTree();

        var unit = Assert.Single(tree.ScanWithUnits(cache.Root, "i386").Result!.Health.Units, u => u.File == "bsd/kern/wexec.c");

        Assert.Equal(UnitStatus.WithErrors, unit.Status);
    }

    [Theory]
    [InlineData(14, false)]
    [InlineData(17, false)]
    [InlineData(18, true)]
    [InlineData(22, true)]
    public void A_gcc_built_tree_asks_only_a_clang_that_defines_target_os_macros_not_to(int clangMajor, bool asked)
    {
        using var tree = OldXnu();
        tree.Write("makedefs/MakeInc.cmd", "CC = cc\n");
        using var cache = new TempTree();

        // clang 14 (PARASCOPE_LIBCLANG may name Debian's) defines no TARGET_OS_* macro and rejects the flag, which
        // would put an error in every unit of the tree.
        var result = UnitDiscovery.Discover(new DiscoveryRequest
        {
            Root = tree.Root,
            Arches = ["i386"],
            CacheDirectory = cache.Root,
            ClangMajorVersion = clangMajor,
        });

        Assert.Equal(asked, UnitOf(result, "osfmk/kern/core.c").Arguments.Contains("-fno-define-target-os-macros"));
    }

    [Fact]
    public void A_tree_its_makefiles_build_with_clang_keeps_the_compilers_target_os_macros()
    {
        using var tree = OldXnu();
        tree.Write("makedefs/MakeInc.cmd", "export CC := $(shell $(XCRUN) -sdk $(SDKROOT) -find clang)\n");
        using var cache = new TempTree();

        var arguments = UnitOf(Discover(tree, cache.Root), "osfmk/kern/core.c").Arguments;

        Assert.DoesNotContain("-fno-define-target-os-macros", arguments);
    }

    [Fact]
    public void A_host_program_among_kernel_sources_is_not_a_unit_and_is_named_in_a_warning()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        var result = Discover(tree, cache.Root);

        Assert.DoesNotContain(result.Units, u => u.RelativePath == "osfmk/tools/widget_image.c");
        Assert.Contains(result.Warnings, w => w.Contains("osfmk/tools/widget_image.c", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_unit_parses_clean_and_the_tree_is_left_untouched()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        var before = Directory.GetFiles(tree.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(f))).ToArray();

        var outcome = tree.ScanWithUnits(cache.Root, "i386");

        Assert.Null(outcome.Error);
        Assert.All(outcome.Result!.Health.Units, unit => Assert.True(unit.Status == UnitStatus.Clean, $"{unit.File}: {unit.FirstError}"));
        Assert.Equal(before, Directory.GetFiles(tree.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(f))).ToArray());
    }

    [Fact]
    public void The_repaired_source_is_parsed_with_its_unclosed_block_inactive()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        var result = Discover(tree, cache.Root);

        var repaired = Assert.Single(result.Overlays);
        Assert.Equal(Path.Combine(tree.Root, "bsd/netwidget/aurp_widget.c"), repaired.Key);
        Assert.EndsWith("#endif /* added by Parascope: missing in the tree */\n", repaired.Value);
    }

    [Fact]
    public void The_json_units_carry_configuration_build_membership_and_fatality()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        using var output = new TempTree();
        var report = Path.Combine(output.Root, "scan.json");

        var (exit, _, error) = Cli.CliRunner.Run("scan", tree.Root, "--arch", "i386", "--units", "--quiet", "--format", "json", "-o", report);

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var ddb = json.RootElement.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("file").GetString() == "osfmk/ddb/db_widget.c");
        Assert.Equal("DEBUG", ddb.GetProperty("configuration").GetString());
        Assert.True(ddb.GetProperty("inBuild").GetBoolean());
        Assert.False(ddb.GetProperty("fatal").GetBoolean());
        Assert.False(ddb.TryGetProperty("ownOptions", out _));
        var monitor = json.RootElement.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("file").GetString() == "osfmk/kern/monitor.c");
        Assert.Equal(["+WIDGET_MONITOR"], monitor.GetProperty("ownOptions").EnumerateArray().Select(o => o.GetString()));
        var counts = json.RootElement.GetProperty("scan").GetProperty("units");
        // never.c, monitor.c and orphan.c are built by no configuration.
        Assert.Equal(counts.GetProperty("total").GetInt32() - 3, counts.GetProperty("inBuild").GetProperty("total").GetInt32());
    }

    [Fact]
    public void A_file_no_configuration_builds_gets_the_options_its_own_line_names()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        var result = Discover(tree, cache.Root);

        Assert.Contains("-DWIDGET_MONITOR", UnitOf(result, "osfmk/kern/monitor.c").Arguments);
        Assert.Contains("-UMACH_KERNEL", UnitOf(result, "osfmk/kern/never.c").Arguments);
        Assert.Equal(["-MACH_KERNEL"], UnitOf(result, "osfmk/kern/never.c").OwnOptions.ToArray());
        // widget_kdb is an option header (widget_kdb.h), shared by the configuration's units: not flipped per unit.
        Assert.DoesNotContain("-DWIDGET_KDB", UnitOf(result, "osfmk/kern/never.c").Arguments);
        Assert.DoesNotContain("-DWIDGET_MONITOR", UnitOf(result, "osfmk/kern/core.c").Arguments);
    }

    [Fact]
    public void A_file_is_compiled_with_the_flags_of_the_subsystem_whose_list_names_it()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        var unit = UnitOf(Discover(tree, cache.Root), "osfmk/kperf/widget_bsd.c");

        Assert.DoesNotContain("-DMACH_KERNEL_PRIVATE", unit.Arguments);
        Assert.Equal("osfmk", unit.Subsystem);
    }

    [Fact]
    public void An_include_spelled_in_another_case_gets_a_forwarding_header()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);

        var forward = Path.Combine(XnuProfile.CacheFolder(cache.Root, tree.Root, "i386"), "include", "iokit", "IOWidgetLib.h");
        Assert.Contains($"#include \"{Path.Combine(tree.Root, "iokit", "IOKit", "IOWidgetLib.h")}\"", File.ReadAllText(forward));
    }

    [Fact]
    public void Internal_sdk_headers_are_supplied_only_where_the_tree_lacks_them()
    {
        using var tree = OldXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);

        var include = Path.Combine(XnuProfile.CacheFolder(cache.Root, tree.Root, "i386"), "include");
        Assert.True(File.Exists(Path.Combine(include, "sptm", "sptm_xnu.h")));
        Assert.True(File.Exists(Path.Combine(include, "os", "firehose_buffer_private.h")));
        Assert.False(File.Exists(Path.Combine(include, "sptm", "debug_header.h")));
    }

    [Theory]
    [InlineData("bsd/net/bpf.c optional bpfilter bound-checks", "bpfilter", true)]
    [InlineData("bsd/net/bpf.c optional bpfilter bound-checks", "inet", false)]
    [InlineData("bsd/netinet6/esp_core.c optional ipsec ipsec_esp", "ipsec", false)]
    [InlineData("bsd/netinet6/esp_core.c optional ipsec ipsec_esp", "ipsec ipsec_esp", true)]
    [InlineData("osfmk/kern/stub.c optional kasan not kasan_classic inet", "kasan", true)]
    [InlineData("osfmk/kern/stub.c optional kasan not kasan_classic inet", "kasan inet", false)]
    [InlineData("osfmk/kern/core.c standard", "", true)]
    public void A_conf_files_line_requires_every_option_and_excludes_every_one_after_not(string line, string selected, bool built)
    {
        var condition = ArchFiles.FileCondition.Parse(line.Split(' '));
        Assert.Equal(built, condition.HoldsFor(selected.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)));
    }

    [Fact]
    public void Explain_says_which_files_were_repaired_in_memory()
    {
        using var tree = OldXnu();

        var (exit, output, error) = Cli.CliRunner.Run("explain", Path.Combine(tree.Root, "bsd/netwidget/aurp_widget.c"), "--arch", "i386");

        Assert.True(exit == 0, error);
        Assert.Contains("repaired in memory (the command above reads the file as it is): bsd/netwidget/aurp_widget.c: missing #endif appended", output);
    }
}
