using Parascope.Discovery;
using Parascope.Discovery.Xnu;
using Parascope.Model;

namespace Parascope.Tests.Discovery;

/// <summary>MIG headers generated from original .defs fixtures written in XNU's style.</summary>
public sealed class MigInterfacesTests
{
    private const string TypesDefs = """
        #ifndef _WIDGET_TYPES_DEFS_
        #define _WIDGET_TYPES_DEFS_
        type int = MACH_MSG_TYPE_INTEGER_32;
        type mach_port_t = MACH_MSG_TYPE_COPY_SEND;
        type widget_t = mach_port_t
        #if KERNEL_SERVER
                intran: widget_t convert_port_to_widget(mach_port_t)
        #endif
                ;
        type widget_list_t = array[] of int;
        type widget_info_t = array[*:16] of int;
        type widget_reply_t = polymorphic|MACH_MSG_TYPE_MAKE_SEND_ONCE;
        #if KERNEL_SERVER
        simport <kern/widget_internal.h>;
        #endif
        import <mach/widget_types.h>;
        #endif
        """;

    private const string WidgetDefs = """
        subsystem
        #if KERNEL_USER
            KernelUser
        #endif
            widget 4200;
        #include <mach/widget_types.defs>
        userprefix send_;
        #define PREFIX(NAME) widget_ ## NAME
        routine widget_query(
                target : widget_t;
            out list   : widget_list_t;
            out peers  : widget_list_t, SameCount;
            out info   : widget_info_t, CountInOut);
        routine PREFIX(reset)(
                target : widget_t);
        /* A reply port first, with its disposition given by the caller. */
        simpleroutine widget_ping(
                reply  : widget_reply_t;
                code   : int);
        """;

    private static MigInterfaces.Definitions Read(TempTree tree, MigInterfaces.Side side) =>
        MigInterfaces.Read(Path.Combine(tree.Root, "osfmk/mach/widget.defs"), [Path.Combine(tree.Root, "osfmk")], "x86_64", side);

    private static TempTree Defs()
    {
        var tree = new TempTree();
        tree.Write("osfmk/mach/widget_types.defs", TypesDefs);
        tree.Write("osfmk/mach/widget.defs", WidgetDefs);
        return tree;
    }

    /// <summary>The widget interface's user header read through a memo kept at CACHE, and how many interfaces it took back.</summary>
    private static (string Header, int Reused) Kept(TempTree tree, TempTree cache)
    {
        var memo = new MigMemo(Path.Combine(cache.Root, MigMemo.FileName));
        var definitions = memo.Read(Path.Combine(tree.Root, "osfmk/mach/widget.defs"), [Path.Combine(tree.Root, "osfmk")], "x86_64", MigInterfaces.Side.Exported);
        memo.Save();
        return (MigInterfaces.UserHeader("", "G", definitions), memo.Reused);
    }

    [Fact]
    public void A_kept_interface_is_taken_back_until_a_file_it_includes_changes()
    {
        using var tree = Defs();
        using var cache = new TempTree();
        var cold = Kept(tree, cache);

        var again = Kept(tree, cache);
        tree.Write("osfmk/mach/widget_types.defs", TypesDefs.Replace("import <mach/widget_types.h>;", "import <mach/widget_types.h>;\nimport <mach/widget_extra.h>;", StringComparison.Ordinal));
        var edited = Kept(tree, cache);

        Assert.Equal((cold.Header, 1), again);
        Assert.Equal(0, edited.Reused);
        Assert.Equal(MigInterfaces.UserHeader("", "G", Read(tree, MigInterfaces.Side.Exported)), edited.Header);
        Assert.NotEqual(cold.Header, edited.Header);
    }

    [Fact]
    public void A_kept_interface_is_read_again_when_an_include_would_now_resolve_to_another_file()
    {
        using var tree = Defs();
        using var cache = new TempTree();
        Kept(tree, cache);
        // Searched before the roots: the including file's own folder (MigInterfaces tries it first for every include).
        tree.Write("osfmk/mach/mach/widget_types.defs", TypesDefs.Replace("import <mach/widget_types.h>;", "import <mach/widget_shadow.h>;", StringComparison.Ordinal));

        var rescan = Kept(tree, cache);

        Assert.Equal(0, rescan.Reused);
        Assert.Contains("widget_shadow.h", rescan.Header, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("another build")]
    public void A_damaged_memo_or_one_of_another_build_is_no_memo(string damage)
    {
        using var tree = Defs();
        using var cache = new TempTree();
        var cold = Kept(tree, cache);
        var path = Path.Combine(cache.Root, MigMemo.FileName);
        var bytes = File.ReadAllBytes(path);
        // Another build's memo: this one's, every entry intact, under another engine's identity.
        var build = typeof(MigMemo).Assembly.ManifestModule.ModuleVersionId.ToString();
        var json = System.Text.Encoding.UTF8.GetString(Parascope.Files.Frame.Read(bytes, "PSMG"u8, MigMemo.Version)!.Value.Span);
        Assert.Contains(build, json, StringComparison.Ordinal);
        File.WriteAllBytes(path, damage == "truncated" ? bytes[..(bytes.Length / 2)]
            : Parascope.Files.Frame.Wrap("PSMG"u8, MigMemo.Version, System.Text.Encoding.UTF8.GetBytes(json.Replace(build, Guid.Empty.ToString(), StringComparison.Ordinal))));

        Assert.Equal((cold.Header, 0), Kept(tree, cache));
    }

    [Fact]
    public void A_user_header_declares_each_routine_with_the_prefix_counts_and_dispositions()
    {
        using var tree = Defs();
        var header = MigInterfaces.UserHeader("", "G", Read(tree, MigInterfaces.Side.KernelUser));

        Assert.Contains("kern_return_t send_widget_query(widget_t target, widget_list_t *list, mach_msg_type_number_t *listCnt, widget_list_t *peers, widget_info_t info, mach_msg_type_number_t *infoCnt);", header);
        Assert.Contains("kern_return_t send_widget_reset(widget_t target);", header);
        Assert.Contains("kern_return_t send_widget_ping(widget_reply_t reply, mach_msg_type_name_t replyPoly, int code);", header);
        Assert.Contains("typedef struct { mach_msg_header_t Head; NDR_record_t NDR; kern_return_t RetCode; } __Request__widget_ping_t;", header);
        Assert.Contains("#include <mach/widget_types.h>", header);
        Assert.DoesNotContain("kern/widget_internal.h", header);
    }

    [Fact]
    public void Macros_expand_on_lines_with_other_text_and_not_inside_longer_words()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/mach/widget_types.defs", TypesDefs);
        // Most lines name no macro and are kept as they are; these name one beside text the quick look must not misread:
        // a word that begins with a digit, a longer word, a comment in other than ASCII.
        tree.Write("osfmk/mach/widget.defs", """
            subsystem KernelUser widget 4200;
            #include <mach/widget_types.defs>
            #define WIDGET_NAME(NAME) widget_ ## NAME
            #define COUNT_T int
            #define FLAGS int
            routine WIDGET_NAME(count)(target : widget_t; count : COUNT_T); /* Zähler */
            routine widget_flags(target : widget_t; flags : FLAGS; 9FLAGS_unused : int; FLAGS2 : int);
            """);

        var routines = Read(tree, MigInterfaces.Side.KernelUser).Routines;

        Assert.Equal(["widget_count", "widget_flags"], routines.Select(r => r.Name));
        Assert.Equal(["widget_t", "int"], routines[0].Arguments.Select(a => a.Type));
        Assert.Equal(["flags", "9FLAGS_unused", "FLAGS2"], routines[1].Arguments.Skip(1).Select(a => a.Name));
        Assert.Equal("int", routines[1].Arguments[1].Type);
    }

    [Fact]
    public void Mig_keywords_and_directions_are_read_in_any_case()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/mach/widget_types.defs", TypesDefs);
        // As resource_notify.defs and UNDTypes.defs write them: `UserPrefix`, `SimpleRoutine`, `RequestPort`, `ctype :`.
        tree.Write("osfmk/mach/widget.defs", """
            Subsystem KernelUser widget_notify 4300;
            #include <mach/widget_types.defs>
            type widget_name_t = array [32] of char
                    ctype : widget_name_c_t;
            UserPrefix send_;
            ServerPrefix receive_;
            SimpleRoutine widget_violation(
                RequestPort receiver : mach_port_t;
                            name     : widget_name_t;
                            code     : int);
            """);

        var header = MigInterfaces.UserHeader("", "G", Read(tree, MigInterfaces.Side.KernelUser));

        Assert.Contains("kern_return_t send_widget_violation(mach_port_t receiver, widget_name_c_t name, int code);", header);
        // MIG names the subsystem table with the server prefix (device.defs: is_iokit_subsystem), not the demultiplexer.
        var server = MigInterfaces.ServerHeader("", "G", Read(tree, MigInterfaces.Side.KernelServer));
        Assert.Contains("} receive_widget_notify_subsystem;", server);
        Assert.Contains("extern boolean_t widget_notify_server(", server);
    }

    [Fact]
    public void A_server_header_includes_the_server_imports_and_the_subsystem_but_no_routine_prototypes()
    {
        using var tree = Defs();
        var definitions = Read(tree, MigInterfaces.Side.KernelServer);
        var header = MigInterfaces.ServerHeader("", "G", definitions);

        Assert.Equal("widget", definitions.Subsystem);
        Assert.Contains("#include <kern/widget_internal.h>", header);
        Assert.Contains("} widget_subsystem;", header);
        Assert.Contains("extern boolean_t widget_server(", header);
        Assert.DoesNotContain("widget_query(", header);
    }

    [Fact]
    public void Units_calling_mig_routines_parse_clean_and_a_listed_header_replaces_the_trees_own()
    {
        using var tree = Defs();
        tree.Write("osfmk/mach/Makefile", "MIG_KUHDRS = \\\n\twidget.h\n\nMIG_KSHDRS = \\\n\twidget_server.h\n");
        // A stale tree header of the generated name, as xnu-792's osfmk/mach/memory_object.h is.
        tree.Write("osfmk/mach/widget.h", "#error the MIG header must replace this one\n");
        tree.Write("osfmk/mach/widget_types.h", "typedef struct widget *widget_t;\ntypedef int *widget_list_t;\ntypedef int widget_info_t[16];\ntypedef unsigned int widget_reply_t;\n");
        tree.Write("osfmk/kern/widget_internal.h", "extern int widget_internal_count;\n");
        tree.Write("osfmk/mach/kern_return.h", "typedef int kern_return_t;\n");
        tree.Write("osfmk/mach/port.h", "typedef unsigned int mach_port_t;\ntypedef int boolean_t;\n");
        tree.Write("osfmk/mach/ndr.h", "typedef struct { unsigned char mig_vers; } NDR_record_t;\n");
        tree.Write("osfmk/mach/mig_errors.h", "#define MIG_WIDGET_DIED -308\n");
        tree.Write("osfmk/mach/message.h", """
            typedef unsigned int mach_msg_type_number_t;
            typedef unsigned int mach_msg_type_name_t;
            typedef int mach_msg_id_t;
            typedef unsigned long vm_address_t;
            typedef struct { unsigned int msgh_bits; } mach_msg_header_t;
            typedef void (*mig_routine_t)(void);
            typedef void (*mig_server_routine_t)(void);
            struct routine_descriptor { mig_routine_t impl; };
            """);
        tree.Write("osfmk/kern/widget_user.c", """
            #include <mach/widget.h>
            int widget_use(widget_t w)
            {
            	widget_list_t list; widget_info_t info; mach_msg_type_number_t count = 16, listCount;
            	__Request__widget_ping_t ping;
            	(void)ping;
            	widget_list_t peers;
            	return send_widget_query(w, &list, &listCount, &peers, info, &count) + send_widget_ping(0, 21, 3) + send_widget_reset(w)
            	    + MIG_WIDGET_DIED; /* from mig_errors.h, which every MIG header includes */
            }
            """);
        tree.Write("osfmk/kern/widget_demux.c", """
            #include <mach/widget_server.h>
            const void *widget_table = &widget_subsystem;
            int widget_count(void) { return widget_internal_count; }
            """);
        tree.Write("bsd/.keep", "");
        tree.Write("iokit/.keep", "");
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "x86_64");

        Assert.Null(outcome.Error);
        Assert.Equal(2, outcome.Result!.Health.Units.Length);
        Assert.All(outcome.Result.Health.Units, unit => Assert.True(unit.Status == UnitStatus.Clean, $"{unit.File}: {unit.FirstError}"));
    }
}
