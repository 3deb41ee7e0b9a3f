using Parascope.Model;

namespace Parascope.Tests.Planning;

/// <summary>
/// Driver-API calls of functions the tree implements are uses (the change is made once, in the implementation);
/// calls inside a driver's own methods and calls of nothing the tree implements stay changes.
/// </summary>
public sealed class DriverApiRoleTests
{
    // ml_set_interrupts_enabled is the tree's own KPI (it executes cli and sti); kdebug is machine-independent code
    // calling it; PE_parse_boot_arg is declared only (its implementation is not in this tree).
    private const string MachineRoutines = """
        typedef int boolean_t;
        boolean_t ml_set_interrupts_enabled(boolean_t enable)
        {
            if (enable)
                __asm__ volatile("sti");
            else
                __asm__ volatile("cli");
            return 1;
        }
        """;

    private const string Kdebug = """
        typedef int boolean_t;
        extern boolean_t ml_set_interrupts_enabled(boolean_t enable);
        extern int PE_parse_boot_arg(const char *name, void *value);

        void kernel_debug_internal(void)
        {
            boolean_t s = ml_set_interrupts_enabled(0);
            ml_set_interrupts_enabled(s);
        }

        int kdebug_boot(void)
        {
            int v;
            return PE_parse_boot_arg("trace", &v);
        }
        """;

    // A driver class: its own call of the KPI is part of porting that driver.
    private const string Driver = """
        typedef int boolean_t;
        extern boolean_t ml_set_interrupts_enabled(boolean_t enable);
        class IOService { public: virtual bool start(IOService *provider); };
        class FixtureEthernet : public IOService {
        public:
            bool start(IOService *provider);
        };
        bool FixtureEthernet::start(IOService *provider)
        {
            ml_set_interrupts_enabled(0);
            return true;
        }
        """;

    private static ScanResult Scan()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/machine_routines.c", MachineRoutines);
        tree.Write("bsd/kern/kdebug.c", Kdebug);
        tree.Write("iokit/Drivers/FixtureEthernet.cpp", Driver);
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, Profile = "generic" });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }

    [Fact]
    public void A_call_of_an_in_tree_kpi_is_a_use_of_its_implementation_and_of_the_hook_it_performs()
    {
        var result = Scan();
        var uses = result.Findings.Where(f => f.File == "bsd/kern/kdebug.c" && f.RuleId == "driver-api.ml-interrupt").ToList();
        Assert.Equal(2, uses.Count);
        Assert.All(uses, f =>
        {
            Assert.Equal(Finding.Use, f.Role);
            Assert.Equal("ml_set_interrupts_enabled", f.Implementation);
            Assert.Equal("disable-interrupts", f.Hook);    // one cli, one sti: the tie goes to the earlier hook
            Assert.Null(f.Driver);
        });
        var implementation = Assert.Single(result.Interface!.Implementations, i => i.Function == "ml_set_interrupts_enabled");
        Assert.Equal(("osfmk/i386/machine_routines.c", 2, 2), (implementation.File, implementation.Line, implementation.Uses));
        Assert.Equal("disable-interrupts", implementation.Hook);
        Assert.Equal(2, Assert.Single(result.Interface.Hooks, h => h.Id == "disable-interrupts").Uses);
    }

    [Fact]
    public void A_call_of_a_kpi_the_tree_does_not_implement_stays_a_change()
    {
        var site = Scan().Findings.Single(f => f.RuleId == "driver-api.pe-platform" && f.Function == "kdebug_boot");
        Assert.Equal(Finding.Change, site.Role);
        Assert.Null(site.Implementation);
        Assert.Null(site.Hook);
    }

    [Fact]
    public void A_driver_s_own_call_is_a_change_of_that_driver()
    {
        var result = Scan();
        var site = result.Findings.Single(f => f.Function == "FixtureEthernet::start" && f.RuleId == "driver-api.ml-interrupt");
        Assert.Equal(Finding.Change, site.Role);
        Assert.Equal("FixtureEthernet", site.Driver);
        Assert.Null(site.Implementation);
        Assert.Contains(result.Drivers, d => d.Name == "FixtureEthernet");
    }
}
