using System.Collections.Concurrent;
using System.Collections.Frozen;
using Parascope.Detectors.Instructions;
using Parascope.Parsing;

namespace Parascope.Detectors.PageTables;

/// <summary>
/// The lexical page-table scan of each C/C++ file, made once per scan and shared by every unit that reads the file
/// (as the instruction detector's asm scans are); which candidates a unit compiled is the unit's business.
/// </summary>
internal sealed class LexicalPageTableScans
{
    private readonly ConcurrentDictionary<string, LexicalPageTableScan> _byFile = new(StringComparer.Ordinal);
    private readonly NameSet _helpers;
    private readonly NameSet _atomics;
    private readonly NameSet _bulk;
    // What a scan depends on besides the text: the names it looks for (SharedScans' key).
    private readonly string _names;

    public LexicalPageTableScans(PageTableRules rules)
    {
        string[] helpers = [.. rules.OfKind(PageTableKind.Helper).SelectMany(r => r.Rule.Match.Functions.Concat(r.Rule.Match.Macros))];
        string[] atomics = [.. rules.OfKind(PageTableKind.Atomic).SelectMany(r => r.Rule.Match.Functions)];
        string[] bulk = [.. rules.OfKind(PageTableKind.Store).SelectMany(r => r.Rule.Match.Functions)];
        (_helpers, _atomics, _bulk) = (new NameSet(helpers), new NameSet(atomics), new NameSet(bulk));
        _names = string.Join('\u0002', "page-tables", string.Join('\u0001', helpers), string.Join('\u0001', atomics), string.Join('\u0001', bulk));
    }

    public IReadOnlyDictionary<string, LexicalPageTableScan> All => _byFile;

    /// <summary>The scan of RELATIVE; a file of another architecture's folders (ppc…) has none.</summary>
    public LexicalPageTableScan Get(UnitScope scope, string relative) =>
        // Looked up first, as CSourceScans.Get is: the making below allocates its closure whenever it is entered.
        _byFile.TryGetValue(relative, out var scan) ? scan : Made(scope, relative);

    private LexicalPageTableScan Made(UnitScope scope, string relative) =>
        _byFile.GetOrAdd(relative, path => SharedScans<LexicalPageTableScan>.Get(scope.Texts, _names, path, scope, (file, unit) =>
        {
            if (FamilyHints.IsForeignPath(file))
            {
                return LexicalPageTableScan.Empty;
            }
            var text = unit.Texts.Get(Path.Combine(unit.Root, file));
            return text is null ? LexicalPageTableScan.Empty : LexicalPageTableScanner.Scan(text.Text, _helpers, _atomics, _bulk);
        }));
}

/// <summary>
/// Decides which lexical candidates are PTE stores, once every scanned file's declarations are known: the PTE types
/// are the rules' types and every `typedef` of one the tree declares (through chains); a name is resolved against
/// its function's declarations, then its file's, then the tree's file-level declarations and struct fields, which
/// must all agree (a field name that is a PTE in one struct and not in another is left alone: precision first).
/// </summary>
internal sealed class LexicalPageTableStores
{
    private readonly FrozenSet<string> _types;
    private readonly IReadOnlyDictionary<string, LexicalPageTableScan> _scans;
    private readonly Dictionary<string, List<LexicalDeclaration>> _global = new(StringComparer.Ordinal);
    // A file's own declarations, indexed when a candidate of it is first resolved: only inactive candidates are, in a
    // few files, and indexing every local of every file up front was ~0.1 s of a `.c` edit's re-scan of xnu-11417.
    private readonly Dictionary<string, FileDeclarations> _byFile = new(StringComparer.Ordinal);

    /// <summary>A file's declarations: in its functions (by function and name) and at file level (by name), the first of each.</summary>
    private sealed record FileDeclarations(Dictionary<(int Function, string Name), LexicalDeclaration> Locals,
        Dictionary<string, LexicalDeclaration> FileLevel);

    /// <param name="names">The names candidates will be resolved for: only their file-level declarations are indexed.</param>
    public LexicalPageTableStores(PageTableRules rules, IReadOnlyDictionary<string, LexicalPageTableScan> scans, IEnumerable<string> names)
    {
        _scans = scans;
        var asked = names.ToHashSet(StringComparer.Ordinal);
        var types = new HashSet<string>(rules.Types, StringComparer.Ordinal);
        var typedefs = scans.Values.SelectMany(scan => scan.Typedefs).ToList();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (name, target) in typedefs)
            {
                if (types.Contains(target) && types.Add(name))
                {
                    changed = true;
                }
            }
        }
        _types = types.ToFrozenSet(StringComparer.Ordinal);
        foreach (var scan in scans.Values)
        {
            foreach (var declaration in scan.Declarations)
            {
                if (declaration.FunctionId >= 0 || !asked.Contains(declaration.Name))
                {
                    continue;
                }
                if (!_global.TryGetValue(declaration.Name, out var list))
                {
                    _global[declaration.Name] = list = new List<LexicalDeclaration>();
                }
                list.Add(declaration);
            }
        }
    }

    private FileDeclarations DeclarationsOf(string file)
    {
        if (_byFile.TryGetValue(file, out var known))
        {
            return known;
        }
        var declarations = new FileDeclarations([], new Dictionary<string, LexicalDeclaration>(StringComparer.Ordinal));
        foreach (var declaration in _scans.TryGetValue(file, out var scan) ? scan.Declarations : [])
        {
            if (declaration.FunctionId >= 0)
            {
                declarations.Locals.TryAdd((declaration.FunctionId, declaration.Name), declaration);
            }
            else
            {
                declarations.FileLevel.TryAdd(declaration.Name, declaration);
            }
        }
        _byFile[file] = declarations;
        return declarations;
    }

    /// <summary>The PTE type the candidate stores, or null when it is not a PTE store.</summary>
    public string? StoredType(string file, LexicalStoreCandidate candidate)
    {
        switch (candidate.Shape)
        {
            case LexicalShape.Helper:
                return candidate.Callee;
            case LexicalShape.Cast:
                return _types.Contains(candidate.Name) ? candidate.Name : null;
            case LexicalShape.Deref or LexicalShape.Index:
                var declarations = DeclarationsOf(file);
                if (declarations.Locals.TryGetValue((candidate.FunctionId, candidate.Name), out var local))
                {
                    // A function's own array of PTEs is a value being built, not a table (as in the AST path).
                    return PointsToPte(local) && !(local.Array && local.Pointers == 0) ? local.Type : null;
                }
                if (declarations.FileLevel.TryGetValue(candidate.Name, out var own))
                {
                    return PointsToPte(own) ? own.Type : null;
                }
                return Agreed(candidate.Name, PointsToPte);
            case LexicalShape.Field:
                return Agreed(candidate.Name, d => _types.Contains(d.Type) && d.Pointers == 0 && !d.Array);
            case LexicalShape.FieldPointer:
                return Agreed(candidate.Name, PointsToPte);
        }
        return null;
    }

    private bool PointsToPte(LexicalDeclaration declaration) =>
        _types.Contains(declaration.Type) && (declaration.Pointers == 1 && !declaration.Array || declaration.Pointers == 0 && declaration.Array);

    /// <summary>The PTE type every file-level declaration of <paramref name="name"/> agrees on, or null.</summary>
    private string? Agreed(string name, Func<LexicalDeclaration, bool> test)
    {
        if (!_global.TryGetValue(name, out var declarations) || declarations.Count == 0 || !declarations.All(test))
        {
            return null;
        }
        return declarations[0].Type;
    }
}
