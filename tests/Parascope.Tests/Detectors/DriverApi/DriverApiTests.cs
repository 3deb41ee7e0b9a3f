using System.Collections.Immutable;
using System.Text.Json;
using Parascope.Model;
using Parascope.Reports.Json;
using Parascope.Rules;

namespace Parascope.Tests.Detectors.DriverApi;

/// <summary>What the fixture harness cannot say with line annotations: properties, the inventory, the JSON and the rules.</summary>
public sealed class DriverApiTests
{
    private static ScanResult Scan(string fixture, XenTarget target = XenTarget.XenPv)
    {
        var outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = Path.Combine(FixturePaths.Root, fixture),
            Jobs = 2,
            Profile = "generic",
            Target = target,
        });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }

    private static Finding At(ScanResult result, string fileEnd, int line, string ruleId) =>
        Assert.Single(result.Findings, f => f.File.EndsWith(fileEnd, StringComparison.Ordinal) && f.Line == line && f.RuleId == ruleId);

    [Fact]
    public void Port_io_written_in_a_macro_is_one_finding_at_the_define_with_every_use_as_an_expansion()
    {
        var result = Scan("driverapi-machine");
        var finding = At(result, "pio_fixture.h", 26, "driver-api.port-io");
        Assert.Equal(33, finding.Column);
        Assert.Equal("FIXTURE_POSTCODE", finding.Properties["macro"]);
        Assert.Equal("outb", finding.Properties["function"]);
        Assert.Null(finding.Function);
        Assert.Equal(
            ["osfmk/i386/machine_fixture.c:33 fixture_machine_init", "osfmk/i386/machine_fixture.c:55 fixture_machine_halt",
                "osfmk/i386/machine_fixture.c:56 fixture_machine_halt"],
            finding.Expansions.Select(e => $"{e.File}:{e.Line} {e.Function}"));
        // A call passed as the macro's argument is written at the use, at its own column, and names no macro.
        var argument = At(result, "machine_fixture.c", 56, "driver-api.port-io");
        Assert.Equal((19, "inb()", "fixture_machine_halt"), (argument.Column, argument.Detail, argument.Function));
        Assert.False(argument.Properties.ContainsKey("macro"));
        // Two calls in one #define: two findings at their own columns, both with both uses.
        var cmos = result.Findings.Where(f => f.File.EndsWith("pio_fixture.h", StringComparison.Ordinal) && f.Line == 27).OrderBy(f => f.Column).ToList();
        Assert.Equal(["34 outb()", "53 inb()"], cmos.Select(f => $"{f.Column} {f.Detail}"));
        Assert.All(cmos, f => Assert.Equal(
            ["osfmk/i386/machine_fixture.c:34 fixture_machine_init", "osfmk/i386/machine_fixture.c:54 fixture_machine_halt"],
            f.Expansions.Select(e => $"{e.File}:{e.Line} {e.Function}")));
    }

    [Fact]
    public void A_direct_call_has_no_macro_property()
    {
        var finding = At(Scan("driverapi-machine"), "machine_fixture.c", 31, "driver-api.port-io");
        Assert.False(finding.Properties.ContainsKey("macro"));
    }

    [Fact]
    public void A_rule_macro_is_attributed_to_the_function_it_is_expanded_in()
    {
        var finding = At(Scan("driverapi-machine"), "machine_fixture.c", 40, "driver-api.local-apic");
        Assert.Equal("LAPIC_READ", finding.Properties["macro"]);
        Assert.Equal("fixture_machine_init", finding.Function);
    }

    [Fact]
    public void An_inherited_method_called_through_a_subclass_resolves_to_the_declaring_class()
    {
        var finding = At(Scan("driverapi-iokit"), "FixtureEthernet.cpp", 34, "driver-api.ioservice-interrupt");
        Assert.Equal("IOService", finding.Properties["class"]);
        Assert.Equal("registerInterrupt", finding.Properties["method"]);
        Assert.Equal("virtual", finding.Properties["dispatch"]);
    }

    [Fact]
    public void An_override_in_a_subclass_matches_the_base_class_rule_and_keeps_its_own_class()
    {
        var finding = At(Scan("driverapi-iokit"), "FixtureEthernet.cpp", 56, "driver-api.iomd-physical-address");
        Assert.Equal("IOGeneralMemoryDescriptor", finding.Properties["class"]);
        Assert.Equal("IOMemoryDescriptor", finding.Properties["rule-class"]);
        Assert.Equal("IOGeneralMemoryDescriptor::getPhysicalSegment()", finding.Detail);
    }

    [Fact]
    public void The_nearest_class_rule_wins_and_one_call_gives_one_finding()
    {
        var result = Scan("driverapi-iokit");
        var atLine = result.Findings.Where(f => f.File.EndsWith("FixtureEthernet.cpp", StringComparison.Ordinal) && f.Line == 44).ToList();
        var finding = Assert.Single(atLine);
        Assert.Equal("driver-api.filter-interrupt-event-source", finding.RuleId);
        Assert.Equal("static", finding.Properties["dispatch"]);
    }

    [Fact]
    public void Findings_carry_the_rule_class_as_subcategory_and_the_targets_action()
    {
        var pv = At(Scan("driverapi-iokit"), "FixtureEthernet.cpp", 29, "driver-api.pci-config");
        var hvm = At(Scan("driverapi-iokit", XenTarget.XenHvm), "FixtureEthernet.cpp", 29, "driver-api.pci-config");
        Assert.Equal("pci-config", pv.Subcategory);
        Assert.Equal(FindingCategory.DriverApi, pv.Category);
        Assert.Equal(Severity.Error, pv.Severity);
        Assert.Equal(Severity.Note, hvm.Severity);
        Assert.NotEqual(pv.Action, hvm.Action);
    }

    [Fact]
    public void Inventory_lists_every_IOService_subclass_and_nothing_else()
    {
        var names = Scan("driverapi-iokit").Drivers.Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["FixtureDebugTap", "FixtureDiskBase", "FixtureDiskController", "FixtureDiskNub", "FixtureEthernet", "FixtureHelperService",
             "FixtureUnusedNub", "IOBlockStorageDevice", "IOEthernetController", "IONetworkController", "IOPCIDevice"],
            names);
    }

    [Fact]
    public void Subclasses_in_inactive_code_or_unincluded_headers_come_from_the_text_and_say_so()
    {
        var drivers = Scan("driverapi-iokit").Drivers.ToDictionary(d => d.Name);

        Assert.Equal(("lexical", "Drivers/debug/FixtureDebugTap.cpp", 9), (drivers["FixtureDebugTap"].Resolution, drivers["FixtureDebugTap"].File, drivers["FixtureDebugTap"].Line));
        Assert.Equal(("lexical", "pci", "IOPCIDevice"), (drivers["FixtureUnusedNub"].Resolution, drivers["FixtureUnusedNub"].Family, drivers["FixtureUnusedNub"].Superclass));
        Assert.Equal("ast", drivers["FixtureEthernet"].Resolution);
        Assert.DoesNotContain("NotAClass", drivers.Keys);
    }

    [Fact]
    public void Inventory_gives_family_front_end_ancestry_and_hardware_calls()
    {
        var drivers = Scan("driverapi-iokit").Drivers.ToDictionary(d => d.Name);
        var ethernet = drivers["FixtureEthernet"];
        Assert.Equal("network", ethernet.Family);
        Assert.StartsWith("netfront", ethernet.XenFrontEnd);
        Assert.Equal("IOEthernetController", ethernet.Superclass);
        Assert.Equal(["IOEthernetController", "IONetworkController", "IOService", "OSObject"], ethernet.Ancestors.ToArray());
        Assert.True(ethernet.MetaClass);
        Assert.Equal(2, ethernet.HardwareCalls.Single(c => c.RuleId == "driver-api.pci-config").Count);
        var disk = drivers["FixtureDiskNub"];
        Assert.Equal("block-storage", disk.Family);
        Assert.StartsWith("blkfront", disk.XenFrontEnd);
        Assert.Equal("FixtureDiskBase", drivers["FixtureDiskController"].Superclass);
        Assert.False(drivers["IOPCIDevice"].MetaClass);
    }

    [Fact]
    public void Without_a_family_ancestor_the_class_name_gives_the_family_and_otherwise_it_is_other()
    {
        var drivers = Scan("driverapi-iokit").Drivers.ToDictionary(d => d.Name);
        Assert.Equal("block-storage", drivers["FixtureDiskController"].Family);
        Assert.Equal("other", drivers["FixtureHelperService"].Family);
        Assert.StartsWith("none identified", drivers["FixtureHelperService"].XenFrontEnd);
    }

    [Fact]
    public void Json_report_writes_the_drivers_array()
    {
        using var stream = new MemoryStream();
        JsonReportWriter.Write(Scan("driverapi-iokit"), stream);
        using var document = JsonDocument.Parse(stream.ToArray());
        var drivers = document.RootElement.GetProperty("drivers");
        var ethernet = drivers.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "FixtureEthernet");
        Assert.Equal("network", ethernet.GetProperty("family").GetString());
        Assert.Equal("Drivers/net/FixtureEthernet.cpp", ethernet.GetProperty("file").GetString());
        Assert.True(ethernet.GetProperty("hardwareCalls").GetArrayLength() > 0);
        Assert.StartsWith("netfront", ethernet.GetProperty("xenFrontEnd").GetString());
    }

    [Fact]
    public void A_tree_without_cxx_has_an_empty_inventory()
    {
        Assert.Empty(Scan("driverapi-machine").Drivers);
    }

    [Fact]
    public void Every_driver_api_rule_has_a_known_class_and_a_match()
    {
        ImmutableHashSet<string> classes = ["dma-address", "port-io", "pci-config", "interrupt", "mmio", "timer", "platform"];
        var loaded = RuleLoader.LoadBuiltIn();
        Assert.Empty(loaded.Errors);
        var rules = loaded.Rules.Where(r => r.Category == FindingCategory.DriverApi).ToList();
        Assert.NotEmpty(rules);
        Assert.All(rules, rule =>
        {
            Assert.True(rule.Class is not null && classes.Contains(rule.Class), rule.Id);
            Assert.True(rule.Match.Methods.Length + rule.Match.Classes.Length + rule.Match.Functions.Length + rule.Match.Macros.Length > 0, rule.Id);
        });
    }
}
