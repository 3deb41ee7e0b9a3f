using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>A place elsewhere that belongs to a finding: a macro's expansion site, a wrapper's caller.</summary>
public sealed record SiteReference(string File, int Line, string? Function)
{
    /// <summary>For a macro whose system register is a parameter: the register this expansion resolves it to, when known.</summary>
    public string? Register { get; init; }
}

/// <summary>A header function body walked by one unit of an arch, and how many units of a finding's views that walk gave.</summary>
public sealed record BodyWalk(string File, string Function, string Arch, int Units);

/// <summary>
/// One place a port must touch. <see cref="File"/>/<see cref="Line"/>/<see cref="Column"/> are where the
/// offending text is written (for macro text: the macro's definition; expansion sites go in <see cref="Expansions"/>).
/// </summary>
public sealed record Finding
{
    public required string RuleId { get; init; }
    public required FindingCategory Category { get; init; }
    public required Severity Severity { get; init; }
    /// <summary>Relative to the scanned root, '/' separators.</summary>
    public required string File { get; init; }
    public required int Line { get; init; }
    public required int Column { get; init; }
    /// <summary>Enclosing function, method or asm label; null at file scope.</summary>
    public string? Function { get; init; }
    /// <summary>
    /// The call graph's node for <see cref="Function"/> when it is not the plain name: "name@file" for a `static`
    /// function or a file-local assembly label (docs/graph.md). Set by the graph stage; null otherwise.
    /// </summary>
    public string? FunctionNode { get; init; }
    /// <summary>The node to look the finding's function up by in the call graph.</summary>
    public string? GraphNode => FunctionNode ?? Function;
    /// <summary>The instruction family the rule is about: x86, arm64 or any.</summary>
    public required string Arch { get; init; }
    public required SourceContext Context { get; init; }
    /// <summary>False when the text is in a preprocessor branch this configuration does not compile.</summary>
    public bool Active { get; init; } = true;
    /// <summary>The source text matched (an instruction, a call, an assignment).</summary>
    public required string Detail { get; init; }
    /// <summary>What a porter changes here, for the chosen target.</summary>
    public required string Action { get; init; }
    /// <summary>Stable across unrelated edits: built from rule, file, function and normalised detail, never line numbers.</summary>
    public string Fingerprint { get; init; } = string.Empty;
    public ImmutableArray<SiteReference> Expansions { get; init; } = [];
    /// <summary>The scan arches (x86_64, i386, arm64) whose configuration reached this site.</summary>
    public ImmutableArray<string> Arches { get; init; } = [];
    /// <summary>
    /// The kernel configurations (RELEASE, DEVELOPMENT, DEBUG, KASAN) whose parse compiles this site, as
    /// <see cref="Arches"/> does for arches: an inactive site another configuration compiles has it here; a site no
    /// parsed configuration compiles (read lexically) has none. Empty when the profile knows no configurations.
    /// </summary>
    public ImmutableArray<string> Configurations { get; init; } = [];
    /// <summary>
    /// The arm64 boards (machine configurations: VMAPPLE, T6000…) whose parse compiles this site, as
    /// <see cref="Configurations"/> does for kernel configurations: a site under `#if XNU_MONITOR` only a PPL board
    /// compiles is inactive with that board here. Empty when the scan parsed no other board (then not written).
    /// </summary>
    public ImmutableArray<string> Platforms { get; init; } = [];
    /// <summary>How many units reached the site (an inline in a header counts each includer).</summary>
    public int Units { get; init; } = 1;
    /// <summary>
    /// The header bodies whose walk gave this finding's views, with the units of those views: a site the AST finds in
    /// a header function body comes only from the unit that walks the body (the first of its arch to reach it,
    /// <see cref="Parascope.Model.BodyWalk"/>), so a shard, whose first unit may not be the whole scan's, reports the body
    /// as its own walker saw it. `merge` keeps only the views of the whole scan's walker. Empty for every other view
    /// (inline asm read per unit, lexical sites, another configuration's copies). Written in shard reports only.
    /// </summary>
    public ImmutableArray<BodyWalk> Walks { get; init; } = [];
    /// <summary>
    /// The units of the finding's views before the reach of its function raised <see cref="Units"/>; null on a single
    /// view (its <see cref="Units"/>). Written in shard reports only: `merge` adds these, then applies the whole reach.
    /// </summary>
    public int? ViewUnits { get; init; }
    /// <summary>
    /// Of a finding with <see cref="Walks"/>: the configurations its views without a walk gave (another configuration's
    /// or board's copies of the site, <see cref="Parascope.Detectors.ConfigurationSites.Fold"/>); null otherwise. When
    /// `merge` leaves out a walk that is not the whole scan's, these pass on — not the walk's own view's, which the whole
    /// scan does not have. Written in shard reports only.
    /// </summary>
    public ImmutableArray<string>? UnwalkedConfigurations { get; init; }
    /// <summary>Of a finding with <see cref="Walks"/>: the boards its views without a walk gave, as <see cref="UnwalkedConfigurations"/>.</summary>
    public ImmutableArray<string>? UnwalkedPlatforms { get; init; }
    /// <summary>The innermost preprocessor condition around the site in assembly files, when there is one.</summary>
    public string? Condition { get; init; }
    /// <summary>A finer class within the category: for driver-api dma-address, port-io, pci-config…; for instructions the rule's class.</summary>
    public string? Subcategory { get; init; }
    /// <summary>Detector-specific named facts (mnemonic, register, class, method, wrapper…), written in key order.</summary>
    public ImmutableSortedDictionary<string, string> Properties { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>new or unchanged when the scan was compared with a baseline; null otherwise.</summary>
    public string? Baseline { get; init; }
    /// <summary>The phase of the port this site belongs to (rules/entry-points.yaml), from the call graph.</summary>
    public string? Phase { get; init; }
    /// <summary>Functions that call the enclosing function in one call (any edge kind); null when the function is unknown to the graph.</summary>
    public int? Callers { get; init; }
    /// <summary>Of <see cref="Callers"/>, those that reach it only through a pointer, a table or a virtual call (indirect edges).</summary>
    public int? IndirectCallers { get; init; }
    /// <summary>Functions that reach the enclosing function through any chain of calls, indirect ones included: the change's blast radius.</summary>
    public int? TransitiveCallers { get; init; }
    /// <summary>The function's callers one call away (graph nodes), sorted, at most <see cref="MaxCallerFunctions"/>.</summary>
    public ImmutableArray<string> CallerFunctions { get; init; } = [];
    public const int MaxCallerFunctions = 50;
    /// <summary>
    /// The hook (rules/hooks.yaml) whose operation the site performs — or, for a use, the hook its implementation
    /// performs; null for inactive sites and for driver-API sites whose implementation performs no hook.
    /// </summary>
    public string? Hook { get; init; }
    /// <summary>
    /// <see cref="Change"/> (the site itself must change) or <see cref="Use"/> (it calls a function the tree implements,
    /// <see cref="Implementation"/>: the change is there, once). Set on every active site with a hook and on every active
    /// driver-API site.
    /// </summary>
    public string? Role { get; init; }
    /// <summary>For a use: the in-tree function it calls, where the change is made once for all its callers.</summary>
    public string? Implementation { get; init; }
    /// <summary>A driver-API change inside a driver class's methods: the class (the driver inventory's name), whose port is one piece of work.</summary>
    public string? Driver { get; init; }
    public const string Change = "change";
    public const string Use = "use";
    /// <summary>With a hook: the site sits in a wrapper (a small function whose job is this one operation).</summary>
    public bool? Wrapper { get; init; }
    /// <summary>With a hook: the site is outside any wrapper (a change, or a call of the hook to introduce).</summary>
    public bool? Scattered => Wrapper is { } wrapper ? !wrapper : null;
    /// <summary>The reason given in a parascope:ignore comment or the ignore file, when suppressed.</summary>
    public string? Suppression { get; init; }
    /// <summary>
    /// Platform sites: the constants the code compares with or asks for, as written (a case label, the operand of ==,
    /// a vendor string, a CPUID leaf, a firmware property name): what a virtual machine must present to pass.
    /// </summary>
    public ImmutableArray<string> Values { get; init; } = [];
    /// <summary>Platform sites: what happens when the machine does not present them (a panic and its text, a default case).</summary>
    public string? Otherwise { get; init; }
    /// <summary>
    /// Platform sites: the readiness item (the rule's) and its verdict for an unmodified HVM boot, one of
    /// <see cref="Verdicts"/>.
    /// </summary>
    public string? Item { get; init; }
    public string? Verdict { get; init; }
    public static readonly ImmutableArray<string> Verdicts = ["blocking", "needs-shim", "needs-driver", "works-emulated"];

    /// <summary>The order of every report: file, line, column, rule.</summary>
    public static readonly IComparer<Finding> ReportOrder = Comparer<Finding>.Create(static (a, b) =>
    {
        var byFile = string.CompareOrdinal(a.File, b.File);
        if (byFile != 0) return byFile;
        var byLine = a.Line.CompareTo(b.Line);
        if (byLine != 0) return byLine;
        var byColumn = a.Column.CompareTo(b.Column);
        if (byColumn != 0) return byColumn;
        var byRule = string.CompareOrdinal(a.RuleId, b.RuleId);
        if (byRule != 0) return byRule;
        return string.CompareOrdinal(a.Detail, b.Detail);
    });
}
