using System.Collections.Frozen;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Detectors.PageTables;

/// <summary>What a page-table rule is about; read from its `kind` match key.</summary>
public enum PageTableKind
{
    Store,
    Atomic,
    Helper,
    Wrapper,
    Frame,
    MmuControl,
    Phys,
}

/// <summary>A set of names with `*` globs, matched without allocating.</summary>
public sealed class NameSet
{
    private readonly FrozenSet<string> _exact;
    private readonly string[] _prefixes;

    public NameSet(IEnumerable<string> names)
    {
        var exact = new List<string>();
        var prefixes = new List<string>();
        foreach (var name in names)
        {
            // Only trailing globs occur in practice (`__sync_*`, `ml_phys_read*`); anything else is matched literally.
            if (name.EndsWith('*') && name.IndexOf('*') == name.Length - 1)
            {
                prefixes.Add(name[..^1]);
            }
            else
            {
                exact.Add(name);
            }
        }
        _exact = exact.ToFrozenSet(StringComparer.Ordinal);
        _prefixes = prefixes.ToArray();
    }

    public bool IsEmpty => _exact.Count == 0 && _prefixes.Length == 0;

    public bool Contains(string name)
    {
        if (_exact.Contains(name))
        {
            return true;
        }
        foreach (var prefix in _prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>One rule's compiled names.</summary>
public sealed record PageTableRule(Rule Rule, PageTableKind Kind, NameSet Functions, NameSet Macros);

/// <summary>
/// The page-table rules of a rule set, compiled for the walk: the PTE type names (the union of every page-table
/// rule's `types`, so a user's rule adds types) and, per kind, the function and macro names.
/// </summary>
public sealed class PageTableRules
{
    public FrozenSet<string> Types { get; }
    public IReadOnlyList<PageTableRule> Rules { get; }
    /// <summary>Canonical spellings (`struct pte`) among the types; most rule sets have none.</summary>
    public bool HasCanonicalTypes { get; }

    private PageTableRules(FrozenSet<string> types, IReadOnlyList<PageTableRule> rules)
    {
        Types = types;
        Rules = rules;
        HasCanonicalTypes = types.Any(type => type.Contains(' ', StringComparison.Ordinal));
    }

    public static PageTableRules From(RuleSet rules)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        var compiled = new List<PageTableRule>();
        foreach (var rule in rules.OfCategory(FindingCategory.PageTable))
        {
            types.UnionWith(rule.Match.Types);
            foreach (var kindName in rule.Match["kind"])
            {
                if (TryParseKind(kindName, out var kind))
                {
                    compiled.Add(new PageTableRule(rule, kind, new NameSet(rule.Match.Functions), new NameSet(rule.Match.Macros)));
                }
            }
        }
        return new PageTableRules(types.ToFrozenSet(StringComparer.Ordinal), compiled);
    }

    public IEnumerable<PageTableRule> OfKind(PageTableKind kind) => Rules.Where(rule => rule.Kind == kind);

    /// <summary>The first rule of <paramref name="kind"/> whose functions name <paramref name="name"/>.</summary>
    public PageTableRule? FunctionRule(PageTableKind kind, string name)
    {
        foreach (var rule in Rules)
        {
            if (rule.Kind == kind && rule.Functions.Contains(name))
            {
                return rule;
            }
        }
        return null;
    }

    public PageTableRule? MacroRule(PageTableKind kind, string name)
    {
        foreach (var rule in Rules)
        {
            if (rule.Kind == kind && rule.Macros.Contains(name))
            {
                return rule;
            }
        }
        return null;
    }

    private static bool TryParseKind(string text, out PageTableKind kind)
    {
        kind = text switch
        {
            "store" => PageTableKind.Store,
            "atomic" => PageTableKind.Atomic,
            "helper" => PageTableKind.Helper,
            "wrapper" => PageTableKind.Wrapper,
            "frame" => PageTableKind.Frame,
            "mmu-control" => PageTableKind.MmuControl,
            "phys" => PageTableKind.Phys,
            _ => (PageTableKind)(-1),
        };
        return (int)kind >= 0;
    }
}
