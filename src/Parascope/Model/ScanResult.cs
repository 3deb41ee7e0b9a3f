using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Parascope.Model;

/// <summary>Everything a scan produced, ready for any report. Reports read it; they never analyse.</summary>
public sealed record ScanResult
{
    public required string ToolVersion { get; init; }
    /// <summary>The scanned root as given on the command line, absolute.</summary>
    public required string Root { get; init; }
    public required ImmutableArray<string> Arches { get; init; }
    /// <summary>The kernel configurations whose code the scan covers (DiscoveryResult.Configurations); empty when the profile knows none.</summary>
    public ImmutableArray<string> Configurations { get; init; } = [];
    /// <summary>
    /// The arm64 boards whose code the scan covers (DiscoveryResult.Platforms): the scanned one and those units were
    /// parsed again for; empty when no other board was parsed, and then not written.
    /// </summary>
    public ImmutableArray<string> Platforms { get; init; } = [];
    public required XenTarget Target { get; init; }
    public required string Profile { get; init; }
    public required ParseHealth Health { get; init; }
    /// <summary>The machine (board) configuration each arch was parsed with and where it came from (XNU profile; empty otherwise).</summary>
    public ImmutableArray<MachineConfigChoice> MachineConfigs { get; init; } = [];
    /// <summary>Wall time of the scan; 0 unless timings were asked for, so that reports stay byte-identical.</summary>
    public required long DurationMs { get; init; }
    /// <summary>Sorted by <see cref="Finding.ReportOrder"/>.</summary>
    public required ImmutableArray<Finding> Findings { get; init; }
    /// <summary>Findings hidden by suppressions, kept for the summary's counts.</summary>
    public ImmutableArray<Finding> Suppressed { get; init; } = [];
    /// <summary>Fingerprints present in the baseline but gone now.</summary>
    public int FixedSinceBaseline { get; init; }
    public bool HasBaseline { get; init; }
    /// <summary>Non-fatal problems met during the scan (a unit that could not be read, a bad rule file…), one line each.</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
    /// <summary>The call graph over every parsed unit: C, C++ and assembly functions; direct, asm and indirect edges (docs/graph.md).</summary>
    public ICallGraph? CallGraph { get; init; }
    /// <summary>The port's phases, in order (rules/entry-points.yaml).</summary>
    public ImmutableArray<PortPhase> Phases { get; init; } = [];
    /// <summary>The shard scanned, as "K/N", when the scan was sharded.</summary>
    public string? Shard { get; init; }
    /// <summary>The rule set's digest (RuleLoader.Result.Digest); empty in reports of versions that did not write it.</summary>
    public string RulesDigest { get; init; } = string.Empty;
    /// <summary>Every IOService subclass of the tree with its family and Xen front end (the driver-api detector's inventory).</summary>
    public ImmutableArray<DriverClass> Drivers { get; init; } = [];
    /// <summary>The rules the scan ran with (the descriptors SARIF and the plan read), sorted by id.</summary>
    public ImmutableArray<Rule> Rules { get; init; } = [];
    /// <summary>The libclang the units were parsed with; null for a result read from a report written before it was recorded.</summary>
    public LibclangInfo? Libclang { get; init; }
    /// <summary>The port's interface: hooks, wrappers, existing layers, the narrowest cut (null for a merged report).</summary>
    public PortInterface? Interface { get; init; }
    /// <summary>A shard's call graph, carried in its report so that merge can run the whole-tree stages; null unsharded.</summary>
    public CallGraphData? ShardGraph { get; init; }
    /// <summary>A shard's divisions by fields that platform reads fill, for merge's whole-tree join; empty unsharded.</summary>
    public ImmutableArray<FieldDivision> FieldDivisions { get; init; } = [];
    /// <summary>A shard's calls of PTE-store wrappers it does not define, for merge's whole-tree callers; empty unsharded.</summary>
    public ImmutableArray<WrapperCall> WrapperCalls { get; init; } = [];
    /// <summary>
    /// The plan and what the reports show of it (the hook table with its findings, the definitions of the functions
    /// named), computed once by the Planning stage (Planning.Planner) after suppressions and the baseline; null until
    /// then. Not kept with a whole scan: planned again from the kept result and its graph excerpt.
    /// </summary>
    [JsonIgnore]
    public ReportOutline? Outline { get; init; }
}

/// <summary>One arch's machine configuration as a report records it: name (NONE for x86), where it was chosen, its -D flags.</summary>
public sealed record MachineConfigChoice(string Arch, string Name, string Source, ImmutableArray<string> Defines);
