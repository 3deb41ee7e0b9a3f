using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Detectors.DriverApi;

/// <summary>
/// Every class of the tree derived from IOService, with the family its ancestors place it in and the Xen
/// front end that replaces or backs it. Built after detection: the hardware calls are the findings inside
/// the class's methods (of any detector).
/// </summary>
public static class DriverInventory
{
    private const string ServiceRoot = "IOService";

    /// <summary>Family by the class itself or its nearest ancestor (or the class itself) named here; first hit in lineage order wins.</summary>
    private static readonly (string Prefix, string Family)[] FamilyByClass =
    [
        ("IOBlockStorage", "block-storage"), ("IOMedia", "block-storage"), ("IOStorage", "block-storage"),
        ("IOSCSI", "block-storage"), ("IOATA", "block-storage"), ("IOAHCI", "block-storage"), ("IONVMe", "block-storage"),
        ("IOCDBlockStorage", "block-storage"), ("IODVDBlockStorage", "block-storage"),
        ("IOEthernet", "network"), ("IONetwork", "network"), ("IO80211", "network"),
        ("IOUSB", "usb"),
        ("IOFramebuffer", "graphics"), ("IOGraphics", "graphics"), ("IODisplay", "graphics"), ("IOAccelerator", "graphics"),
        ("IOSerial", "serial"), ("IORS232", "serial"), ("IOModemSerial", "serial"),
        ("IOPCI", "pci"), ("IOAGPDevice", "pci"),
        ("IOInterruptController", "interrupt-controller"), ("IOSharedInterruptController", "interrupt-controller"),
        ("IOCPUInterruptController", "interrupt-controller"),
        ("IOPlatformExpert", "platform"), ("IODTPlatformExpert", "platform"), ("IOPlatformDevice", "platform"),
        ("IOCPU", "platform"), ("AppleMacIO", "platform"), ("AppleNMI", "platform"), ("ApplePlatformExpert", "platform"), ("IOPlatform", "platform"), ("IODTNVRAM", "platform"), ("IONVRAM", "platform"),
        ("IOHID", "hid"), ("IOHIKeyboard", "hid"), ("IOHIPointing", "hid"), ("IOHIDevice", "hid"),
        ("IOAudio", "audio"),
        ("IOPMrootDomain", "power"), ("IOPMPowerSource", "power"), ("IOPMPowerStateQueue", "power"), ("IOPMinformee", "power"),
        ("RootDomainUserClient", "user-client"), ("IOUserClient", "user-client"),
        ("IOMapper", "dma-mapper"),
        ("IORTC", "timer"), ("IOTimer", "timer"),
    ];

    /// <summary>
    /// When no ancestor names a family (a driver derived straight from IOService), words in the class's own name
    /// do (case-sensitive, so "ATA" is not "Data"). Ancestors are checked first: they are facts, names are hints.
    /// </summary>
    private static readonly (string Word, string Family)[] FamilyByNameWord =
    [
        ("Block", "block-storage"), ("Disk", "block-storage"), ("Storage", "block-storage"), ("ATA", "block-storage"),
        ("AHCI", "block-storage"), ("NVMe", "block-storage"), ("SCSI", "block-storage"),
        ("Ethernet", "network"), ("Network", "network"), ("NIC", "network"), ("WiFi", "network"), ("80211", "network"),
        ("Serial", "serial"), ("UART", "serial"),
        ("USB", "usb"),
        ("Framebuffer", "graphics"), ("Display", "graphics"), ("Graphics", "graphics"),
        ("InterruptController", "interrupt-controller"), ("APIC", "interrupt-controller"), ("PIC", "interrupt-controller"),
        ("HPET", "timer"), ("RTC", "timer"),
        ("PCI", "pci"),
        ("Audio", "audio"),
        ("HID", "hid"), ("Keyboard", "hid"),
        ("Platform", "platform"),
    ];

    public static string FrontEnd(string family) => family switch
    {
        "block-storage" => "blkfront (xen-pv, xen-pvh); emulated disk under xen-hvm, blkfront for speed",
        "network" => "netfront (xen-pv, xen-pvh); emulated NIC under xen-hvm, netfront for speed",
        "serial" => "console: the Xen PV console ring (xencons) / hvc",
        "platform" => "xenbus + xenstore and start_info (xen-pv, xen-pvh); the Xen platform PCI device under xen-hvm",
        "interrupt-controller" => "event channels (EVTCHNOP_*); under xen-hvm via the platform PCI device's callback",
        "pci" => "none in a PV domU (pcifront for passthrough); emulated PCI under xen-hvm",
        "graphics" => "fbfront (PV framebuffer) or none; emulated VGA under xen-hvm",
        "hid" => "kbdfront (PV keyboard/pointer); emulated PS/2/USB under xen-hvm",
        "usb" => "none (PV USB via pvusb/qemu); emulated USB under xen-hvm",
        "audio" => "none (no Xen PV audio front end in common use); emulated under xen-hvm",
        "power" => "xenstore control/shutdown and SCHEDOP_shutdown for sleep and power-off",
        "dma-mapper" => "grant tables (a Xen IOMapper granting pages to backends)",
        "timer" => "Xen time: shared_info/vcpu_time_info and VCPUOP_set_singleshot_timer",
        "user-client" => "none: user-kernel interface, no hardware",
        _ => "none identified: review the hardware calls",
    };

    /// <summary>
    /// What the inventory reads of the units: the class hierarchy (the AST's, then the tree's lexical class
    /// declarations); null when no unit has driver facts. Taken apart from <see cref="Build"/>
    /// so that a scan can let go of its units' facts before its findings are final.
    /// </summary>
    internal static ClassHierarchy? Classes(DetectionContext context)
    {
        if (!context.FactsOf<DriverApiFacts>().Any())
        {
            return null;
        }
        var hierarchy = ClassHierarchy.From(context);
        hierarchy.AddLexical(LexicalClasses.Scan(context.Files, context.Texts));
        return hierarchy;
    }

    /// <summary>The driver classes of HIERARCHY (<see cref="Classes"/>) with the hardware calls FINDINGS place in them.</summary>
    internal static ImmutableArray<DriverClass> Build(ClassHierarchy? hierarchy, ImmutableArray<Finding> findings)
    {
        if (hierarchy is null)
        {
            return [];
        }
        var callsByClass = HardwareCallsByClass(findings);

        var names = hierarchy.Definitions.Values.Where(d => d.File is not null).Select(d => d.Name)
            .Concat(hierarchy.MetaClasses.Keys)
            .Concat(hierarchy.Lexical.Keys)
            .Distinct(StringComparer.Ordinal);
        var drivers = new List<DriverClass>();
        foreach (var name in names)
        {
            var lineage = hierarchy.Lineage(name);
            if (name == ServiceRoot || !lineage.Contains(ServiceRoot))
            {
                continue;
            }
            hierarchy.Definitions.TryGetValue(name, out var definition);
            var meta = hierarchy.MetaClasses.GetValueOrDefault(name);
            string file;
            int line;
            if (definition?.File is not null)
            {
                file = definition.File;
                line = definition.Line;
            }
            else if (meta is not null)
            {
                file = meta.File;
                line = meta.Line;
            }
            else if (hierarchy.Lexical.TryGetValue(name, out var lexical))
            {
                file = lexical.File;
                line = lexical.Line;
            }
            else
            {
                continue;
            }
            var family = FamilyOf(lineage);
            drivers.Add(new DriverClass
            {
                Name = name,
                Superclass = lineage.Count > 1 ? lineage[1] : meta?.Superclass ?? ServiceRoot,
                Ancestors = lineage.Skip(1).ToImmutableArray(),
                File = file,
                Line = line,
                MetaClass = meta is not null,
                Family = family,
                XenFrontEnd = FrontEnd(family),
                HardwareCalls = callsByClass.GetValueOrDefault(name, []),
                Resolution = definition?.File is null && meta is null ? "lexical" : "ast",
            });
        }
        return drivers.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Name, StringComparer.Ordinal).ToImmutableArray();
    }

    private static string FamilyOf(IReadOnlyList<string> lineage)
    {
        foreach (var cls in lineage)
        {
            foreach (var (prefix, family) in FamilyByClass)
            {
                if (cls.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return family;
                }
            }
        }
        foreach (var (word, family) in FamilyByNameWord)
        {
            if (lineage[0].Contains(word, StringComparison.Ordinal))
            {
                return family;
            }
        }
        return "other";
    }

    /// <summary>
    /// Findings inside each class's own methods (`Class::method`), by rule: a driver's hardwareCalls. Also what
    /// `merge` recomputes from the merged findings, so a class whose methods several shards parsed counts each site once.
    /// </summary>
    public static Dictionary<string, ImmutableArray<DriverCallCount>> HardwareCallsByClass(IEnumerable<Finding> findings) =>
        findings
            .Where(f => f.Function is not null && f.Function.Contains("::", StringComparison.Ordinal))
            .GroupBy(f => f.Function![..f.Function!.LastIndexOf("::", StringComparison.Ordinal)], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(f => (f.RuleId, f.Subcategory))
                .Select(r => new DriverCallCount(r.Key.RuleId, r.Key.Subcategory, r.Count()))
                .OrderBy(c => c.RuleId, StringComparer.Ordinal)
                .ToImmutableArray(), StringComparer.Ordinal);
}
