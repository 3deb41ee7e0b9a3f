using System.Collections.Immutable;

namespace Parascope.Detectors.DriverApi;

/// <summary>
/// The C++ class hierarchy of the whole scan: every unit's class definitions and OSDefineMetaClass
/// superclasses, united by class name (XNU's IOKit classes live in one global namespace).
/// </summary>
internal sealed class ClassHierarchy
{
    private readonly Dictionary<string, ImmutableArray<string>> _bases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClassFact> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetaClassFact> _metaClasses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _lineage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LexicalClass> _lexical = new(StringComparer.Ordinal);

    /// <summary>Classes known only from the tree's text: neither defined in a parsed AST nor given a parsed metaclass.</summary>
    public IReadOnlyDictionary<string, LexicalClass> Lexical => _lexical;

    /// <summary>Adds what the text says where the ASTs say nothing (the first declaration in path order wins).</summary>
    public void AddLexical(IEnumerable<LexicalClass> classes)
    {
        foreach (var found in classes)
        {
            if (_bases.TryAdd(found.Name, [found.Superclass]) || (_bases[found.Name].IsEmpty && !_definitions.ContainsKey(found.Name)))
            {
                _bases[found.Name] = [found.Superclass];
            }
            if (!_definitions.ContainsKey(found.Name) && !_metaClasses.ContainsKey(found.Name))
            {
                _lexical.TryAdd(found.Name, found);
            }
        }
        _lineage.Clear();
    }

    public IReadOnlyDictionary<string, ClassFact> Definitions => _definitions;
    public IReadOnlyDictionary<string, MetaClassFact> MetaClasses => _metaClasses;

    public static ClassHierarchy From(DetectionContext context)
    {
        var hierarchy = new ClassHierarchy();
        foreach (var (_, facts) in context.FactsOf<DriverApiFacts>())
        {
            foreach (var fact in facts.Classes)
            {
                hierarchy.Add(fact);
            }
            foreach (var meta in facts.MetaClasses)
            {
                hierarchy._metaClasses.TryAdd(meta.Class, meta);
            }
        }
        // A class whose definition no unit parsed still has its superclass from the metaclass macro.
        foreach (var meta in hierarchy._metaClasses.Values)
        {
            hierarchy._bases.TryAdd(meta.Class, [meta.Superclass]);
        }
        return hierarchy;
    }

    private void Add(ClassFact fact)
    {
        // Prefer a definition under the root; then one that knows bases (a unit with errors may have lost them).
        if (!_definitions.TryGetValue(fact.Name, out var known)
            || (known.File is null && fact.File is not null)
            || (known.Bases.IsEmpty && !fact.Bases.IsEmpty && (known.File is null) == (fact.File is null)))
        {
            _definitions[fact.Name] = fact;
        }
        if (!_bases.TryGetValue(fact.Name, out var bases) || (bases.IsEmpty && !fact.Bases.IsEmpty))
        {
            _bases[fact.Name] = fact.Bases;
        }
    }

    public ImmutableArray<string> BasesOf(string name) => _bases.TryGetValue(name, out var bases) ? bases : [];

    /// <summary>The class, then its ancestors nearest first (breadth-first over the bases).</summary>
    public IReadOnlyList<string> Lineage(string name)
    {
        if (_lineage.TryGetValue(name, out var cached))
        {
            return cached;
        }
        var lineage = new List<string> { name };
        for (var i = 0; i < lineage.Count; i++)
        {
            foreach (var parent in BasesOf(lineage[i]))
            {
                if (!lineage.Contains(parent))
                {
                    lineage.Add(parent);
                }
            }
        }
        _lineage[name] = lineage;
        return lineage;
    }

    public bool DerivesFrom(string name, string ancestor) => Lineage(name).Skip(1).Contains(ancestor, StringComparer.Ordinal);
}
