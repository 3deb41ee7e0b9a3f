using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>What a porter does at a site for one Xen target, and how much it matters there.</summary>
public sealed record TargetGuidance(Severity Severity, string Action);

/// <summary>
/// What a detector looks for. Every key holds a list of strings; which keys a detector reads is its business,
/// which keys exist is <see cref="KnownKeys"/>'s (the loader rejects others, so a typo is an error, not a silent no-op).
/// </summary>
public sealed record RuleMatch(ImmutableSortedDictionary<string, ImmutableArray<string>> Values)
{
    public static readonly RuleMatch Empty = new(ImmutableSortedDictionary<string, ImmutableArray<string>>.Empty);

    /// <summary>
    /// mnemonics: instruction mnemonics (suffix forms are the same instruction); writes/reads: registers the
    /// instruction writes or reads (x86 mov destination/source, arm64 msr/mrs system register; `*` globs);
    /// operands: registers in any operand position; types: C type names matched through the typedef chain;
    /// functions: called function or macro names; methods: C++ Class::method; classes: C++ class names;
    /// macros: macro names; builtins: compiler builtins and intrinsics; emits: the instruction a builtin emits;
    /// register-argument: which argument of a builtin names the system register; encodings: raw-byte encodings.
    /// </summary>
    public static readonly ImmutableHashSet<string> KnownKeys = ImmutableHashSet.Create(
        "mnemonics", "writes", "reads", "operands", "types", "functions", "methods", "classes", "macros",
        "builtins", "emits", "register-argument", "encodings", "fields", "kind", "leaves", "references", "baseline-features",
        "faulting-reads", "catching-functions");

    public ImmutableArray<string> this[string key] => Values.TryGetValue(key, out var value) ? value : [];

    public ImmutableArray<string> Mnemonics => this["mnemonics"];
    public ImmutableArray<string> Writes => this["writes"];
    public ImmutableArray<string> Reads => this["reads"];
    public ImmutableArray<string> Operands => this["operands"];
    public ImmutableArray<string> Types => this["types"];
    public ImmutableArray<string> Functions => this["functions"];
    public ImmutableArray<string> Methods => this["methods"];
    public ImmutableArray<string> Classes => this["classes"];
    public ImmutableArray<string> Macros => this["macros"];
    public ImmutableArray<string> Builtins => this["builtins"];
}

/// <summary>
/// Which hook (rules/hooks.yaml) a rule's sites belong to: one hook for the whole rule, or one per matched item
/// (a mnemonic, register, function or macro of the rule's match; <c>*</c> for the rest) when a rule covers several
/// operations (cli and sti; daifset, daifclr and daif), or <see cref="FromEmitted"/> for builtin and encoding rules,
/// whose sites are classified by the instruction they emit.
/// </summary>
public sealed record RuleOperation
{
    public const string Default = "*";
    public const string EmittedKeyword = "emitted";

    /// <summary>Matched item (exact name, case-insensitive) → hook id; <c>*</c> holds the rule-wide hook.</summary>
    public ImmutableSortedDictionary<string, string> ByItem { get; init; } =
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);
    /// <summary>The site takes the operation of the instruction rule it is classified under.</summary>
    public bool FromEmitted { get; init; }

    public static RuleOperation Single(string hook) => new()
    {
        ByItem = ImmutableSortedDictionary.CreateRange(StringComparer.OrdinalIgnoreCase, [KeyValuePair.Create(Default, hook)]),
    };

    public static readonly RuleOperation Emitted = new() { FromEmitted = true };

    /// <summary>The rule-wide hook, when the rule has one.</summary>
    public string? Hook => ByItem.TryGetValue(Default, out var hook) ? hook : null;

    /// <summary>Every hook the rule's sites can belong to, sorted.</summary>
    public IEnumerable<string> Hooks => ByItem.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>The hook of a site that matched <paramref name="item"/> (its mnemonic, register, function…).</summary>
    public string? For(string? item) =>
        item is not null && ByItem.TryGetValue(item, out var hook) ? hook : Hook;
}

/// <summary>
/// What a platform rule's sites mean for an unmodified HVM boot: the item of the readiness summary and its verdict
/// (blocking, needs-shim, needs-driver, works-emulated). <see cref="PerSite"/>: each site is an item of its own (a gate
/// with its own values); otherwise the rule is one item, at its site first in boot order.
/// </summary>
public sealed record RuleReadiness(string Item, string Verdict, bool PerSite);

/// <summary>
/// A rule is the descriptor of one kind of finding (Roslyn's DiagnosticDescriptor, SARIF's reportingDescriptor):
/// reports read it, they never restate it.
/// </summary>
public sealed record Rule
{
    public required string Id { get; init; }
    public required FindingCategory Category { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    /// <summary>x86, arm64 or any.</summary>
    public required string Arch { get; init; }
    /// <summary>A finer class: privileged, iopl-sensitive, sensitive, timing (instructions); dma-address, port-io… (driver-api).</summary>
    public string? Class { get; init; }
    public required RuleMatch Match { get; init; }
    public required ImmutableSortedDictionary<XenTarget, TargetGuidance> Targets { get; init; }
    /// <summary>Effort weight of one site in the plan's model (1 = an ordinary one-line change).</summary>
    public double Weight { get; init; } = 1.0;
    /// <summary>The operation (hook id in rules/hooks.yaml) the rule's sites perform; null for driver-API rules.</summary>
    public RuleOperation? Operation { get; init; }
    /// <summary>Platform rules: the readiness item and verdict of their sites (null for other categories).</summary>
    public RuleReadiness? Readiness { get; init; }
    /// <summary>Where the rule's facts come from (Xen source files, manuals).</summary>
    public ImmutableArray<string> References { get; init; } = [];
    /// <summary>
    /// The absolute URI of the rule's documentation (SARIF helpUri): its anchor in docs/rules.md for a built-in rule
    /// (<see cref="Rules.RuleDocumentation.HelpUri(string)"/>); null for a user's rule, which the reference does not describe.
    /// </summary>
    public string? HelpUri { get; init; }
    /// <summary>file:line of the rule's definition, for error messages.</summary>
    public required string Origin { get; init; }

    /// <summary>
    /// False for the classifier rules of rules/builtins.yaml (a builtin or a raw-byte encoding): their sites are
    /// classified by the instruction they emit and reported under that instruction rule's id, never their own.
    /// </summary>
    public bool ReportsUnderOwnId => Match.Builtins.IsEmpty && Match["encodings"].IsEmpty;

    /// <summary>The guidance for <paramref name="target"/>; every rule defines all three targets.</summary>
    public TargetGuidance For(XenTarget target) => Targets[target];
}

/// <summary>A validated set of rules, looked up by id.</summary>
public sealed class RuleSet
{
    public ImmutableArray<Rule> Rules { get; }
    private readonly Dictionary<string, Rule> _byId;

    public RuleSet(IEnumerable<Rule> rules)
    {
        Rules = rules.OrderBy(rule => rule.Id, StringComparer.Ordinal).ToImmutableArray();
        _byId = Rules.ToDictionary(rule => rule.Id, StringComparer.Ordinal);
    }

    public Rule this[string id] => _byId[id];
    public bool TryGet(string id, out Rule rule) => _byId.TryGetValue(id, out rule!);
    public IEnumerable<Rule> OfCategory(FindingCategory category) => Rules.Where(rule => rule.Category == category);
}
