using Parascope.Graph;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Results;
using static Parascope.Tests.Reports.ConstructedResults;

namespace Parascope.Tests.Reports;

public sealed class MergeDriversTests
{
    private static DriverClass Driver(params DriverCallCount[] calls) => new()
    {
        Name = "WidgetNIC",
        Superclass = "IOEthernetController",
        File = "iokit/Drivers/WidgetNIC.cpp",
        Line = 10,
        Family = "network",
        XenFrontEnd = "netfront",
        HardwareCalls = [.. calls],
    };

    [Fact]
    public void A_driver_seen_by_two_shards_counts_the_hardware_calls_of_both()
    {
        // WidgetNIC's methods live in two files that landed in different shards; a header site both shards saw counts once.
        var shared = Finding("driver.pci-config", "iokit/Drivers/WidgetNIC.h", 5, "WidgetNIC::readConfig", FindingCategory.DriverApi);
        var first = Result([Finding("driver.port-io", "iokit/Drivers/WidgetNIC.cpp", 40, "WidgetNIC::start", FindingCategory.DriverApi), shared])
            with
        { Shard = "1/2", Drivers = [Driver(new DriverCallCount("driver.pci-config", null, 1), new DriverCallCount("driver.port-io", null, 1))] };
        var second = Result([Finding("driver.port-io", "iokit/Drivers/WidgetNICio.cpp", 12, "WidgetNIC::poll", FindingCategory.DriverApi), shared])
            with
        { Shard = "2/2", Drivers = [Driver(new DriverCallCount("driver.pci-config", null, 1), new DriverCallCount("driver.port-io", null, 1))] };

        var (merged, error) = ReportMerge.Merge([first, second], [], PortPhases.BuiltIn().Phases);

        Assert.Null(error);
        var driver = Assert.Single(merged!.Drivers);
        Assert.Equal([new DriverCallCount("driver.pci-config", null, 1), new DriverCallCount("driver.port-io", null, 2)], driver.HardwareCalls.ToArray());
    }

    /// <summary>
    /// xnu-792 merged from 3 shards listed IONVRAMController twice: once as the shard that parsed its header saw it (AST,
    /// with its lineage) and once as a shard that saw the class only in the text saw it. The whole scan lists it once.
    /// </summary>
    [Fact]
    public void A_class_one_shard_resolved_and_another_saw_only_lexically_is_one_entry_the_resolved_one()
    {
        var resolved = Driver() with { File = "iokit/IOKit/WidgetNIC.h", Line = 30, Ancestors = ["IOEthernetController", "IOService", "OSObject"] };
        var lexical = Driver() with { Line = 12, Ancestors = ["IOService"], Family = "other", Resolution = "lexical" };
        var first = Result([]) with { Shard = "1/2", Drivers = [lexical] };
        var second = Result([]) with { Shard = "2/2", Drivers = [resolved] };

        var (merged, error) = ReportMerge.Merge([first, second], [], PortPhases.BuiltIn().Phases);

        Assert.Null(error);
        var driver = Assert.Single(merged!.Drivers);
        Assert.Equal(("iokit/IOKit/WidgetNIC.h", 30, "ast", "network"), (driver.File, driver.Line, driver.Resolution, driver.Family));
    }
}
