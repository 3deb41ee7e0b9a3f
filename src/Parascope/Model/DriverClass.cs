using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>How often a driver class's methods hit one rule.</summary>
public sealed record DriverCallCount(string RuleId, string? Subcategory, int Count);

/// <summary>
/// A class of the scanned tree derived from IOService: the driver inventory a porter reads to decide which
/// drivers a Xen front end replaces. JSON: the report's top-level `drivers` array.
/// </summary>
public sealed record DriverClass
{
    public required string Name { get; init; }
    /// <summary>The direct base class (the superclass in OSDefineMetaClassAndStructors).</summary>
    public required string Superclass { get; init; }
    /// <summary>Every ancestor from the superclass up to the root class (OSObject).</summary>
    public ImmutableArray<string> Ancestors { get; init; } = [];
    /// <summary>Where the class is defined (relative, '/' separators); the metaclass macro's file when no definition was parsed.</summary>
    public required string File { get; init; }
    public required int Line { get; init; }
    /// <summary>True when the tree instantiates its metaclass (OSDefineMetaClassAndStructors and variants).</summary>
    public bool MetaClass { get; init; }
    /// <summary>block-storage, network, usb, graphics, serial, pci, platform, interrupt-controller, hid, audio, power, user-client, other.</summary>
    public required string Family { get; init; }
    /// <summary>The Xen front end (or Xen interface) that replaces or backs the class.</summary>
    public required string XenFrontEnd { get; init; }
    /// <summary>Findings inside the class's own methods, by rule.</summary>
    public ImmutableArray<DriverCallCount> HardwareCalls { get; init; } = [];
    /// <summary>
    /// "ast" when a parsed unit defines the class or instantiates its metaclass; "lexical" when only the tree's text
    /// declares it (code the configuration does not compile, headers no unit includes): its calls are not resolved.
    /// </summary>
    public string Resolution { get; init; } = "ast";
}
