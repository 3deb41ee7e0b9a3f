using Parascope.Graph;
using Parascope.Model;

namespace Parascope.Tests.Graph;

/// <summary>
/// One graph across C, C++ and assembly: C → asm → C calls, a call written in a macro, function-pointer tables, an
/// assembly vector table, same-named statics in two files and a virtual call with overrides. Original code in XNU's style.
/// </summary>
public sealed class CrossLanguageGraphTests
{
    private const string Start = """
        /* Entry points of the mini kernel: asm calls into C and C into asm. */
        #define	EXT(x)		_ ## x
        #define	Entry(x)	.globl EXT(x); EXT(x):

        #define	TRAP_VECTOR(n, name)	\
        	.data			;\
        	.long	EXT(name)	;\
        	.text			;\
        Entry(name)			;\
        	pushl	$(n)		;\
        	jmp	_trap_common

        	.text
        Entry(pstart)
        	call	EXT(i386_init)
        	jmp	_pstart_done

        _pstart_done:
        	hlt	; jmp	_pstart_done

        	.globl	_cpu_idle_asm
        _cpu_idle_asm:
        	call	_cpu_idle_c
        	ret

        	.data
        Entry(master_vectors)
        	.text
        TRAP_VECTOR(0, t_divide)
        TRAP_VECTOR(14, t_page_fault)

        Entry(trap_common)
        	call	EXT(kernel_trap)
        	iret
        """;

    private const string Init = """
        extern void cpu_idle_asm(void);
        void cpu_idle_c(void) { }
        #define	IDLE()	cpu_idle_asm()
        void i386_init(void) { IDLE(); }
        void kernel_trap(void) { }
        """;

    private const string Ops = """
        struct pmap_ops {
        	void	(*po_enter)(int pa);
        	void	(*po_remove)(int pa);
        };
        static void fast_enter(int pa) { (void)pa; }
        void other_enter(int pa) { (void)pa; }
        void slow_remove(int pa) { (void)pa; }
        void late_enter(int pa) { (void)pa; }
        struct pmap_ops default_ops = { .po_enter = fast_enter, .po_remove = slow_remove };
        struct pmap_ops other_ops = { other_enter, slow_remove };
        void pmap_ops_init(struct pmap_ops *ops) { ops->po_enter = late_enter; }
        void pmap_dispatch(struct pmap_ops *ops, int pa) { ops->po_enter(pa); }

        typedef void (*handler_t)(void);
        void h_one(void) { }
        void h_two(void) { }
        handler_t handlers[] = { h_one, h_two };
        void run_handler(int i) { handlers[i](); }
        """;

    private const string FlushA = """
        static void flush_local(void) { __asm__ volatile("wbinvd"); }
        void cache_flush_a(void) { flush_local(); }
        """;

    private const string FlushB = """
        static void flush_local(void) { }
        void cache_flush_b(void) { flush_local(); }
        """;

    private const string Services = """
        class IOService {
        public:
        	virtual void start();
        };
        class IOBlockDevice : public IOService {
        public:
        	virtual void start();
        };
        class IONetDevice : public IOService {
        public:
        	virtual void start();
        };
        class IOFastNet : public IONetDevice {
        public:
        	virtual void start();
        };
        void IOService::start() { }
        void IOBlockDevice::start() { }
        void IONetDevice::start() { }
        void IOFastNet::start() { }
        void bring_up(IOService *service) { service->start(); }
        void bring_up_block(IOBlockDevice *device) { device->IOBlockDevice::start(); }
        """;

    private static (ScanResult Result, CallGraph Graph) Scan()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/start.s", Start);
        tree.Write("osfmk/i386/i386_init.c", Init);
        tree.Write("osfmk/kern/pmap_ops.c", Ops);
        tree.Write("osfmk/i386/flush_a.c", FlushA);
        tree.Write("osfmk/i386/flush_b.c", FlushB);
        tree.Write("iokit/Kernel/IOServices.cpp", Services);
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 2, Profile = "generic" });
        Assert.Null(outcome.Error);
        return (outcome.Result!, (CallGraph)outcome.Result!.CallGraph!);
    }

    private static readonly Lazy<(ScanResult Result, CallGraph Graph)> Scanned = new(Scan);
    private static CallGraph Graph => Scanned.Value.Graph;

    [Fact]
    public void C_calls_asm_and_asm_calls_c_through_one_node_per_symbol()
    {
        Assert.Equal(CallKind.Direct, Graph.KindOf("i386_init", "cpu_idle_asm"));
        Assert.Equal(CallKind.Asm, Graph.KindOf("cpu_idle_asm", "cpu_idle_c"));
        Assert.Equal(CallKind.Asm, Graph.KindOf("pstart", "i386_init"));
        Assert.Contains("pstart", Graph.TransitiveCallers("cpu_idle_c"));
    }

    [Fact]
    public void A_call_written_in_a_macro_belongs_to_the_function_that_expands_it()
    {
        Assert.Equal(["i386_init"], Graph.Callers("cpu_idle_asm").ToArray());
    }

    [Fact]
    public void An_asm_label_no_globl_exports_is_private_to_its_file()
    {
        Assert.Equal(CallKind.Asm, Graph.KindOf("pstart", "pstart_done@osfmk/i386/start.s"));
        Assert.False(Graph.Contains("pstart_done"));
    }

    [Fact]
    public void An_asm_symbol_spans_from_its_entry_to_the_next_symbol()
    {
        var span = Graph.DefinitionOf("cpu_idle_asm")!;
        Assert.Equal("osfmk/i386/start.s", span.File);
        Assert.Equal(22, span.StartLine);
        Assert.Equal(26, span.EndLine);                                   // the line before master_vectors
        Assert.Equal(34, Graph.DefinitionOf("trap_common")!.EndLine);     // the end of the file
    }

    [Fact]
    public void An_asm_vector_table_written_through_a_macro_reaches_each_handler_indirectly()
    {
        Assert.Equal(CallKind.Indirect, Graph.KindOf("master_vectors", "t_divide"));
        Assert.Equal(CallKind.Indirect, Graph.KindOf("master_vectors", "t_page_fault"));
        Assert.Equal(CallKind.Asm, Graph.KindOf("t_page_fault", "trap_common"));
        Assert.Contains("master_vectors", Graph.TransitiveCallers("kernel_trap"));
    }

    [Fact]
    public void A_call_through_a_field_reaches_every_function_stored_into_that_field()
    {
        Assert.Equal(["fast_enter@osfmk/kern/pmap_ops.c", "late_enter", "other_enter"],
            Graph.Callees("pmap_dispatch").ToArray());
        Assert.All(Graph.Callees("pmap_dispatch"), callee => Assert.Equal(CallKind.Indirect, Graph.KindOf("pmap_dispatch", callee)));
        Assert.Null(Graph.KindOf("pmap_ops_init", "late_enter")); // storing a function is not calling it
    }

    [Fact]
    public void A_call_through_an_array_of_function_pointers_reaches_its_elements()
    {
        Assert.Equal(["h_one", "h_two"], Graph.Callees("run_handler").ToArray());
        Assert.Equal(["run_handler"], Graph.IndirectCallers("h_one").ToArray());
    }

    [Fact]
    public void Same_named_statics_of_two_files_stay_two_nodes()
    {
        Assert.Equal(["cache_flush_a"], Graph.Callers("flush_local@osfmk/i386/flush_a.c"));
        Assert.Equal(["cache_flush_b"], Graph.Callers("flush_local@osfmk/i386/flush_b.c"));
        Assert.False(Graph.Contains("flush_local"));
    }

    [Fact]
    public void A_finding_in_a_static_resolves_to_its_own_files_node()
    {
        var finding = Assert.Single(Scanned.Value.Result.Findings, f => f.Detail.Contains("wbinvd", StringComparison.Ordinal));
        Assert.Equal("flush_local", finding.Function);
        Assert.Equal("flush_local@osfmk/i386/flush_a.c", finding.FunctionNode);
        Assert.Equal<string>(["cache_flush_a"], finding.CallerFunctions);
    }

    [Fact]
    public void A_virtual_call_reaches_every_override_in_the_hierarchy()
    {
        Assert.Equal(CallKind.Direct, Graph.KindOf("bring_up", "IOService::start"));
        Assert.Equal(["IOBlockDevice::start", "IOFastNet::start", "IONetDevice::start", "IOService::start"], Graph.Callees("bring_up").ToArray());
        Assert.Equal(CallKind.Indirect, Graph.KindOf("bring_up", "IOFastNet::start"));
        // A qualified call does not dispatch: no override is reached.
        Assert.Equal(["IOBlockDevice::start"], Graph.Callees("bring_up_block").ToArray());
    }

    [Fact]
    public void A_shards_data_round_trips_every_edge_and_kind()
    {
        var copy = CallGraph.FromData([Graph.ToData()]);
        Assert.Equal(Graph.Edges, copy.Edges);
        Assert.Equal(Graph.Functions, copy.Functions);
        Assert.Equal(Graph.DefinitionOf("flush_local@osfmk/i386/flush_a.c"), copy.DefinitionOf("flush_local@osfmk/i386/flush_a.c"));
    }

    [Fact]
    public void A_store_in_one_shard_and_the_call_through_it_in_another_meet_after_the_merge()
    {
        var stores = new CallGraphData([], []) { SlotStores = [("pmap_ops.po_enter", "fast_enter")] };
        var calls = new CallGraphData([], [new GraphCall("pmap_dispatch", "helper", CallKind.Direct)]) { SlotCalls = [("pmap_dispatch", "pmap_ops.po_enter")] };
        var merged = CallGraph.FromData([stores, calls]);
        Assert.Equal(CallKind.Indirect, merged.KindOf("pmap_dispatch", "fast_enter"));
        Assert.Equal(CallKind.Direct, merged.KindOf("pmap_dispatch", "helper"));
    }
}
