using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Detectors.DriverApi;

/// <summary>A name pattern: exact, or a prefix when it ends in '*'.</summary>
internal readonly record struct NamePattern(string Text)
{
    public bool IsPrefix => Text.EndsWith('*');
    public string Prefix => Text[..^1];

    public bool Matches(string name) => IsPrefix ? name.StartsWith(Prefix, StringComparison.Ordinal) : name == Text;

    /// <summary>Exact names beat globs, longer globs beat shorter ones.</summary>
    public int Specificity => IsPrefix ? Prefix.Length : int.MaxValue;
}

/// <summary>One `Class::method` entry of a rule (the method may glob).</summary>
internal sealed record MethodPattern(Rule Rule, string Class, NamePattern Method);

/// <summary>
/// The driver-api rules indexed for the collector's cheap pre-filter and for Detect's exact match.
/// Built once per scan, by the detector.
/// </summary>
internal sealed class DriverApiRules
{
    /// <summary>
    /// Methods OSDeclareDefaultStructors declares in every libkern class: runtime type information, not the
    /// class's work, so a whole-class rule does not take them.
    /// </summary>
    private static readonly ImmutableHashSet<string> MetaClassBoilerplate = ImmutableHashSet.Create(StringComparer.Ordinal, "getMetaClass");

    public ImmutableArray<MethodPattern> Methods { get; }
    /// <summary>Class name → rules that take every method of the class.</summary>
    public ImmutableDictionary<string, ImmutableArray<Rule>> WholeClasses { get; }
    public ImmutableArray<(Rule Rule, NamePattern Pattern)> Functions { get; }
    public ImmutableDictionary<string, Rule> Macros { get; }

    /// <summary>Every class a rule names (method or whole-class): a call is a candidate only below one of these.</summary>
    public ImmutableHashSet<string> Classes { get; }

    private readonly HashSet<string> _exactFunctions;
    private readonly string[] _functionPrefixes;
    private readonly HashSet<string> _exactMethods;
    private readonly string[] _methodPrefixes;

    public DriverApiRules(RuleSet rules)
    {
        var methods = ImmutableArray.CreateBuilder<MethodPattern>();
        var wholeClasses = new Dictionary<string, List<Rule>>(StringComparer.Ordinal);
        var functions = ImmutableArray.CreateBuilder<(Rule, NamePattern)>();
        var macros = ImmutableDictionary.CreateBuilder<string, Rule>(StringComparer.Ordinal);
        foreach (var rule in rules.OfCategory(FindingCategory.DriverApi))
        {
            foreach (var entry in rule.Match.Methods)
            {
                var split = entry.LastIndexOf("::", StringComparison.Ordinal);
                if (split <= 0)
                {
                    continue;
                }
                methods.Add(new MethodPattern(rule, entry[..split], new NamePattern(entry[(split + 2)..])));
            }
            foreach (var name in rule.Match.Classes)
            {
                if (!wholeClasses.TryGetValue(name, out var list))
                {
                    wholeClasses[name] = list = new List<Rule>();
                }
                list.Add(rule);
            }
            foreach (var name in rule.Match.Functions)
            {
                functions.Add((rule, new NamePattern(name)));
            }
            foreach (var name in rule.Match.Macros)
            {
                macros.TryAdd(name, rule);
            }
        }
        Methods = methods.ToImmutable();
        WholeClasses = wholeClasses.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutableArray(), StringComparer.Ordinal);
        Functions = functions.ToImmutable();
        Macros = macros.ToImmutable();
        Classes = Methods.Select(m => m.Class).Concat(WholeClasses.Keys).ToImmutableHashSet(StringComparer.Ordinal);
        _exactFunctions = Functions.Where(f => !f.Pattern.IsPrefix).Select(f => f.Pattern.Text).ToHashSet(StringComparer.Ordinal);
        _functionPrefixes = Functions.Where(f => f.Pattern.IsPrefix).Select(f => f.Pattern.Prefix).Distinct().ToArray();
        _exactMethods = Methods.Where(m => !m.Method.IsPrefix).Select(m => m.Method.Text).ToHashSet(StringComparer.Ordinal);
        _methodPrefixes = Methods.Where(m => m.Method.IsPrefix).Select(m => m.Method.Prefix).Distinct().ToArray();
    }

    public bool IsEmpty => Methods.IsEmpty && WholeClasses.IsEmpty && Functions.IsEmpty && Macros.IsEmpty;

    public bool MayMatchFunction(string name) => _exactFunctions.Contains(name) || StartsWithAny(name, _functionPrefixes);

    public bool MayMatchMethodName(string name) => _exactMethods.Contains(name) || StartsWithAny(name, _methodPrefixes);

    /// <summary>The most specific function rule for <paramref name="name"/>.</summary>
    public Rule? MatchFunction(string name)
    {
        Rule? best = null;
        var bestSpecificity = -1;
        foreach (var (rule, pattern) in Functions)
        {
            if (pattern.Matches(name) && pattern.Specificity > bestSpecificity)
            {
                best = rule;
                bestSpecificity = pattern.Specificity;
            }
        }
        return best;
    }

    /// <summary>
    /// The rule for a call of <paramref name="method"/> declared in a class whose ancestry (itself first, then
    /// bases nearest first) is <paramref name="lineage"/>: the nearest named class wins, then a method rule
    /// over a whole-class rule. Returns the class the rule named too.
    /// </summary>
    public (Rule Rule, string MatchedClass)? MatchMethod(string method, IReadOnlyList<string> lineage)
    {
        foreach (var cls in lineage)
        {
            MethodPattern? best = null;
            foreach (var pattern in Methods)
            {
                if (pattern.Class == cls && pattern.Method.Matches(method)
                    && (best is null || pattern.Method.Specificity > best.Method.Specificity))
                {
                    best = pattern;
                }
            }
            if (best is not null)
            {
                return (best.Rule, cls);
            }
            if (WholeClasses.TryGetValue(cls, out var rules) && !MetaClassBoilerplate.Contains(method))
            {
                return (rules[0], cls);
            }
        }
        return null;
    }

    private static bool StartsWithAny(string name, string[] prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
