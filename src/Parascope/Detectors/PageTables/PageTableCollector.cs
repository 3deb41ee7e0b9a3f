using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Detectors.PageTables;

/// <summary>
/// Finds page-table sites in one unit's walk. A PTE store is an ordinary assignment, so it is found through
/// types: only operators whose result type is a PTE type (an assignment's type is its left side's) are looked
/// at further, and only calls whose names the rules list. Nothing is allocated for the other nodes.
/// </summary>
internal sealed class PageTableCollector : IUnitCollector
{
    /// <summary>A wrapper is a small function: a large one that stores through a parameter is a pmap routine, not a helper.</summary>
    internal const int MaxWrapperLines = 40;

    private readonly PageTableRules _rules;
    private readonly LexicalPageTableScans _scans;
    private readonly UnitScope _unit;
    private readonly List<LexicalUse> _lexicalUses = new();
    private readonly PageTableRule? _store;
    private readonly PageTableRule? _atomic;
    private readonly PageTableRule? _wrapper;
    private readonly NameSet? _frameMasks;
    private readonly Dictionary<nint, string?> _pteTypes = new();
    // Keyed by callee name, not cursor: a lookup costs no libclang call, and a unit rarely has two functions of one name.
    private readonly Dictionary<string, bool> _takesPtePointer = new(StringComparer.Ordinal);
    private readonly Dictionary<nint, AtomicResult> _atomicShapes = new();
    private readonly HashSet<string> _localWrappers = new(StringComparer.Ordinal);
    private readonly List<PageTableSite> _sites = new();
    private readonly List<WrapperDefinition> _wrappers = new();
    private readonly List<WrapperCall> _calls = new();
    private readonly List<int> _macroSites = new();
    private readonly List<(Cursor Cursor, string? Function)> _maskCandidates = new();
    private readonly HashSet<(ClangFile File, int Line)> _maskLines = new();
    private AstScope? _astScope;

    public PageTableCollector(PageTableRules rules, LexicalPageTableScans scans, UnitScope unit)
    {
        _rules = rules;
        _scans = scans;
        _unit = unit;
        _store = rules.OfKind(PageTableKind.Store).FirstOrDefault();
        _atomic = rules.OfKind(PageTableKind.Atomic).FirstOrDefault();
        _wrapper = rules.OfKind(PageTableKind.Wrapper).FirstOrDefault();
        var masks = rules.OfKind(PageTableKind.Frame).FirstOrDefault();
        _frameMasks = masks?.Macros;
    }

    public void OnCursor(Cursor cursor, AstScope scope)
    {
        _astScope ??= scope;
        switch (cursor.Kind)
        {
            case CXCursorKind.CXCursor_BinaryOperator:
                OnBinary(cursor, scope);
                break;
            case CXCursorKind.CXCursor_CompoundAssignOperator:
                OnCompoundAssign(cursor, scope);
                break;
            case CXCursorKind.CXCursor_UnaryOperator:
                OnUnary(cursor, scope);
                break;
            case CXCursorKind.CXCursor_CallExpr:
                OnCall(cursor, scope);
                break;
            case CXCursorKind.CXCursor_MacroExpansion:
                OnMacroExpansion(cursor, scope);
                break;
            case CXCursorKind.CXCursor_UnexposedExpr:
                OnUnexposed(cursor, scope);
                break;
            case CXCursorKind.CXCursor_GCCAsmStmt:
                OnAsm(cursor, scope);
                break;
        }
    }

    /// <summary>
    /// An asm statement that stores into a PTE (xnu-792's pmap_store_pte is a cmpxchg8b loop on a pt_entry_t
    /// pointer). The operands' types come from the AST (clang gives their expressions as the statement's children,
    /// outputs then inputs); constraints, clobbers and the template are read from the text, which libclang 14
    /// does not expose. See <see cref="InlineAsmStore"/> for what counts as a store.
    /// </summary>
    private void OnAsm(Cursor cursor, AstScope scope)
    {
        if (_store is null && _atomic is null)
        {
            return;
        }
        var children = cursor.Children();
        HashSet<int>? memory = null;
        HashSet<int>? pointers = null;
        var types = new Dictionary<int, (Cursor Expression, string Type)>();
        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i];
            if (PteType(child.Type) is { } type && MemoryForm(child) is not null)
            {
                (memory ??= new()).Add(i);
                types[i] = (child, type);
            }
            else if (PteTarget(child) is { } target)
            {
                (pointers ??= new()).Add(i);
                types[i] = target;
            }
        }
        if (memory is null && pointers is null)
        {
            return;
        }
        // Where the asm keyword is written: in a #define body when a macro produced the statement, else in the file.
        var origin = scope.Macros.FindWord(cursor, "asm", "__asm__", "__asm");
        string? file;
        int line;
        int column;
        if (origin is { } o)
        {
            (file, line, column) = (o.File, o.Line, o.Column);
        }
        else
        {
            var start = scope.Macros.WrittenAt(cursor.Extent.Start);
            (file, line, column) = (scope.RelativePath(start.File), start.Line, start.Column);
        }
        if (file is null || scope.Unit.Texts.Get(scope.AbsolutePath(file)) is not { } source || line < 1 || line > source.LineCount)
        {
            return;
        }
        var offset = source.LineStarts[line - 1] + column - 1;
        if (AsmText.Read(source.Text, offset) is not { } asm || asm.Operands.Length > children.Count
            || InlineAsmStore.Find(asm, memory ?? [], pointers ?? []) is not { } store)
        {
            return;
        }
        var rule = store.Atomic ? _atomic ?? _store : _store ?? _atomic;
        var operand = types.First(pair => StoreOperands(asm, store, pair.Key)).Value;
        var at = store.Line.Offset >= 0 ? store.Line.Offset : offset;
        var storeLine = source.LineOf(at);
        var storeColumn = at - source.LineStarts[storeLine - 1] + 1;
        var endColumn = storeColumn + store.Line.Text.Length;
        MacroOrigin? siteOrigin = origin is { } m ? new MacroOrigin(m.File, storeLine, storeColumn, endColumn, m.Macro) : null;
        var added = origin is null
            ? AddSiteAt(rule!, file, storeLine, storeColumn, endColumn, "inline-asm", operand.Type, scope.Function, store.Mnemonic)
            : AddSite(rule!, cursor, "inline-asm", operand.Type, scope, fromMacro: false, origin: siteOrigin, instruction: store.Mnemonic);
        if (added && _wrapper is not null && StoreRoot(operand.Expression) is { } root && root.Kind == CXCursorKind.CXCursor_ParmDecl
            && IsEntryAddress(root.Type))
        {
            AddWrapper(root, operand.Type, scope);
        }
    }

    /// <summary>Whether operand <paramref name="index"/> is the one the storing instruction names.</summary>
    private static bool StoreOperands(AsmText asm, InlineAsmStore.Store store, int index) =>
        index < asm.Operands.Length && (store.Line.Text.Contains($"%{index}", StringComparison.Ordinal)
            || (asm.Operands[index].Name is { } name && store.Line.Text.Contains($"[{name}]", StringComparison.Ordinal))
            || asm.Operands.Length == 1);

    /// <summary>
    /// `__atomic_*` and `__c11_atomic_*` are AtomicExprs, which libclang exposes only as UnexposedExprs, like
    /// the far more frequent implicit casts. An atomic's type is void (store), _Bool (compare-exchange) or the
    /// value's (load, fetch-op, exchange), and it has two operands or more where a cast has one. A load (value
    /// type, pointer and order only) reads the entry and is not an update. The name is read from the source at
    /// the expansion position (the builtin, or the os_atomic_ macro that wraps it): XNU's atomics span a
    /// macro and clang's stdatomic.h, a range libclang cannot tokenize.
    /// </summary>
    private void OnUnexposed(Cursor cursor, AstScope scope)
    {
        if (_atomic is null)
        {
            return;
        }
        var type = cursor.Type;
        var shape = AtomicShape(type);
        if (shape == AtomicResult.None)
        {
            return;
        }
        var returnsValue = shape == AtomicResult.Value;
        var visitor = new OperandVisitor();
        cursor.VisitChildren(visitor);
        if (visitor.Count < 2 || (returnsValue && visitor.Count == 2))
        {
            return;
        }
        // An atomic is written as a call, so its text starts with the builtin's or the wrapping macro's name; other
        // unexposed expressions of a PTE type do not (`.current_ptep = NULL`, a C designated initializer).
        if (WordAt(cursor, scope) is not { } name)
        {
            return;
        }
        if (PteTarget(visitor.First) is { } target)
        {
            AddStore(_atomic, cursor, target.Expression, "atomic", target.Type, scope, name);
        }
    }

    private enum AtomicResult : byte { None, Value, VoidOrBool }

    /// <summary>What an atomic builtin of this result type can be; cached, since implicit casts are everywhere.</summary>
    private AtomicResult AtomicShape(ClangType type)
    {
        if (!type.IsValid)
        {
            return AtomicResult.None;
        }
        var key = type.Identity;
        if (_atomicShapes.TryGetValue(key, out var shape))
        {
            return shape;
        }
        shape = type.Canonical.Kind is CXTypeKind.CXType_Void or CXTypeKind.CXType_Bool ? AtomicResult.VoidOrBool
            : PteType(type) is not null ? AtomicResult.Value
            : AtomicResult.None;
        _atomicShapes[key] = shape;
        return shape;
    }

    private static string? WordAt(Cursor cursor, AstScope scope)
    {
        var at = cursor.Extent.Start.Expansion;
        if (at.File.IsNull || scope.Unit.Texts.Get(Path.GetFullPath(at.File.Name)) is not { } text)
        {
            return null;
        }
        var line = text.Line(at.Line);
        var start = at.Column - 1;
        var end = start;
        while (end < line.Length && (char.IsAsciiLetterOrDigit(line[end]) || line[end] == '_'))
        {
            end++;
        }
        return end > start && start >= 0 ? line[start..end].ToString() : null;
    }

    // An assignment's left side is the lvalue itself; every other binary operator reads its operands, so clang
    // wraps a left side that is an lvalue in an implicit lvalue-to-rvalue cast (an UnexposedExpr to libclang).
    // That tells `*p = v` from `*p | v` without the operator token, inside macros too.
    private void OnBinary(Cursor cursor, AstScope scope)
    {
        if (PteType(cursor.Type) is not { } type)
        {
            // `pte & PG_FRAME` has the canonical type (C's usual conversions drop typedefs): keep unsigned
            // integer operators until the unit's macro expansions say which lines use a frame mask.
            if (_frameMasks is { IsEmpty: false } && cursor.Type.Canonical.Kind is CXTypeKind.CXType_ULongLong
                    or CXTypeKind.CXType_ULong or CXTypeKind.CXType_UInt or CXTypeKind.CXType_LongLong or CXTypeKind.CXType_Long)
            {
                _maskCandidates.Add((cursor, scope.Function));
            }
            return;
        }
        if (_store is null)
        {
            return;
        }
        var (lhs, _) = Operands(cursor);
        if (lhs.IsNull)
        {
            return;
        }
        if (lhs.Kind != CXCursorKind.CXCursor_UnexposedExpr && MemoryForm(lhs) is { } form)
        {
            AddStore(_store, cursor, lhs, form, type, scope);
            return;
        }
    }

    private void OnCompoundAssign(Cursor cursor, AstScope scope)
    {
        if (_store is null || PteType(cursor.Type) is not { } type)
        {
            return;
        }
        var (lhs, _) = Operands(cursor);
        if (!lhs.IsNull && MemoryForm(lhs) is not null)
        {
            AddStore(_store, cursor, lhs, "compound", type, scope);
        }
    }

    // ++/-- are the only unary operators whose operand is a PTE-typed lvalue left unconverted:
    // `*p` has a pointer operand, `~x` and `-x` an implicit cast.
    private void OnUnary(Cursor cursor, AstScope scope)
    {
        if (_store is null || PteType(cursor.Type) is not { } type)
        {
            return;
        }
        var (operand, _) = Operands(cursor);
        if (operand.IsNull || operand.Kind == CXCursorKind.CXCursor_UnexposedExpr || PteType(operand.Type) is null)
        {
            return;
        }
        if (MemoryForm(operand) is not null)
        {
            AddStore(_store, cursor, operand, "increment", type, scope);
        }
    }

    private void OnCall(Cursor cursor, AstScope scope)
    {
        var name = cursor.Spelling;
        if (name.Length == 0)
        {
            return;
        }
        if (_store is not null && _store.Functions.Contains(name))
        {
            // bcopy(src, dst, n) is the one bulk store whose destination is not the first argument.
            var index = name.Contains("bcopy", StringComparison.Ordinal) ? 1 : 0;
            if (cursor.ArgumentCount > index && PteTarget(cursor.Argument(index)) is { } target)
            {
                AddStore(_store, cursor, target.Expression, "bulk", target.Type, scope, name);
            }
        }
        else if (_atomic is not null && _atomic.Functions.Contains(name))
        {
            if (cursor.ArgumentCount > 0 && PteTarget(cursor.Argument(0)) is { } target)
            {
                AddStore(_atomic, cursor, target.Expression, "atomic", target.Type, scope, name);
            }
        }
        else
        {
            foreach (var kind in (ReadOnlySpan<PageTableKind>)[PageTableKind.Helper, PageTableKind.MmuControl, PageTableKind.Frame, PageTableKind.Phys])
            {
                if (_rules.FunctionRule(kind, name) is { } rule)
                {
                    AddSite(rule, cursor, "call", name, scope, fromMacro: false, origin: scope.Macros.FindIdentifier(cursor, name));
                    break;
                }
            }
        }
        if (_wrapper is not null && (_localWrappers.Contains(name) || TakesPtePointer(name, cursor)))
        {
            var at = cursor.Location.Expansion;
            if (scope.RelativePath(at.File) is { } file)
            {
                _calls.Add(new WrapperCall(name, file, at.Line, scope.Function));
            }
        }
    }

    private void OnMacroExpansion(Cursor cursor, AstScope scope)
    {
        var name = cursor.Spelling;
        foreach (var kind in (ReadOnlySpan<PageTableKind>)[PageTableKind.Helper, PageTableKind.MmuControl, PageTableKind.Frame, PageTableKind.Phys])
        {
            if (_rules.MacroRule(kind, name) is not { } rule)
            {
                continue;
            }
            // An object-like frame mask (PG_FRAME) is everywhere addresses are masked; it is reported only
            // where it is applied to a PTE (see FindFrameMask). Function-like conversions are sites themselves.
            if (kind == PageTableKind.Frame && !cursor.Referenced.IsMacroFunctionLike)
            {
                var at = cursor.Location.Expansion;
                _maskLines.Add((at.File, at.Line));
                return;
            }
            if (AddSite(rule, cursor, "macro", name, scope, fromMacro: true))
            {
                _macroSites.Add(_sites.Count - 1);
            }
            return;
        }
    }

    /// <summary>
    /// `pte &amp; PG_FRAME` written out (not produced by a macro): an operand of PTE type, the operator `&amp;`, and a
    /// frame-mask macro among the tokens after it.
    /// </summary>
    private void FindFrameMask(Cursor cursor, string? function, AstScope scope)
    {
        var (lhs, rhs) = Operands(cursor);
        if (lhs.IsNull || rhs.IsNull || (PteType(lhs.Type) is null && PteType(SkipCasts(lhs).Type) is null
            && PteType(rhs.Type) is null && PteType(SkipCasts(rhs).Type) is null))
        {
            return;
        }
        var extent = cursor.Extent;
        var start = extent.Start;
        var spelling = start.Spelling;
        var expansion = start.Expansion;
        if (spelling.Offset != expansion.Offset || !spelling.File.Equals(expansion.File))
        {
            return;
        }
        var lhsEnd = lhs.Extent.End.Spelling.Offset;
        var tokens = scope.TranslationUnit.Tokenize(extent);
        var op = tokens.FindIndex(token => token.Position.Offset >= lhsEnd);
        if (op < 0 || tokens[op].Text != "&")
        {
            return;
        }
        for (var i = op + 1; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == TokenKind.Identifier && _frameMasks!.Contains(tokens[i].Text))
            {
                var rule = _rules.MacroRule(PageTableKind.Frame, tokens[i].Text)!;
                AddSite(rule, cursor, "mask", tokens[i].Text, scope, fromMacro: false, function);
                return;
            }
        }
    }

    private void AddStore(PageTableRule rule, Cursor site, Cursor target, string form, string type, AstScope scope, string? name = null)
    {
        // A store written in a macro body is reported at the #define: by the operator, or by the builtin's name.
        var origin = form switch
        {
            "atomic" or "bulk" => scope.Macros.FindIdentifier(site, name!),
            "compound" => scope.Macros.FindOperator(site, target, CompoundOperators),
            "increment" => scope.Macros.FindOperator(site, target, "++", "--"),
            _ => scope.Macros.FindOperator(site, target, "="),
        };
        if (!AddSite(rule, site, form, name ?? type, scope, fromMacro: false, origin: origin))
        {
            return;
        }
        if (_wrapper is not null && StoreRoot(target) is { } root && root.Kind == CXCursorKind.CXCursor_ParmDecl
            && IsEntryAddress(root.Type))
        {
            AddWrapper(root, type, scope);
        }
    }

    private static readonly string[] CompoundOperators = ["|=", "&=", "^=", "+=", "-=", "<<=", ">>=", "*=", "/=", "%="];

    private bool AddSiteAt(PageTableRule rule, string file, int line, int column, int endColumn, string form, string? name,
        string? function, string? instruction)
    {
        _sites.Add(new PageTableSite(rule.Rule.Id, file, line, column, endColumn, function, form, name, false) { Instruction = instruction });
        return true;
    }

    private bool AddSite(PageTableRule rule, Cursor cursor, string form, string? name, AstScope scope, bool fromMacro,
        string? function = null, MacroOrigin? origin = null, string? instruction = null)
    {
        var extent = cursor.Extent;
        // Text from a macro argument is at its own place in the use (a macro body's is moved by origin, in Detect).
        var start = scope.Macros.WrittenAt(extent.Start);
        var file = scope.RelativePath(start.File);
        if (file is null)
        {
            return false;
        }
        var end = scope.Macros.WrittenAt(extent.End);
        var endColumn = end.Line == start.Line && end.File.Equals(start.File) ? end.Column : 0;
        _sites.Add(new PageTableSite(rule.Rule.Id, file, start.Line, start.Column, endColumn,
            fromMacro ? null : function ?? scope.Function, form, name, fromMacro, origin)
        { Instruction = instruction });
        return true;
    }

    private void AddWrapper(Cursor parameter, string type, AstScope scope)
    {
        var function = parameter.SemanticParent;
        if (function.Kind is not (CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_CXXMethod))
        {
            return;
        }
        var extent = function.Extent;
        var start = extent.Start.Expansion;
        var end = extent.End.Expansion;
        if (end.Line - start.Line + 1 > MaxWrapperLines)
        {
            return;
        }
        var at = function.Location.Expansion;
        if (scope.RelativePath(at.File) is not { } file)
        {
            return;
        }
        var name = function.Spelling;
        _localWrappers.Add(name);
        _wrappers.Add(new WrapperDefinition(name, file, at.Line, at.Column, parameter.Spelling, type));
    }

    public void OnUnitEnd(UnitEndScope scope)
    {
        RecordLexicalUses(scope);
        if (_maskLines.Count > 0 && _astScope is not null)
        {
            foreach (var (candidate, function) in _maskCandidates)
            {
                var start = candidate.Extent.Start.Expansion;
                if (_maskLines.Contains((start.File, start.Line)))
                {
                    FindFrameMask(candidate, function, _astScope);
                }
            }
        }
        _maskCandidates.Clear();
        // Macro expansions are preprocessing entities at the top of the unit: their function comes from the spans.
        foreach (var index in _macroSites)
        {
            var site = _sites[index];
            _sites[index] = site with { Function = scope.FunctionAt(site.File, site.Line) };
        }
    }

    /// <summary>
    /// Which lexical store candidates of each file the unit read it compiled (a line outside its skipped ranges):
    /// a candidate no unit compiled is reported inactive; the AST reports the others.
    /// </summary>
    private void RecordLexicalUses(UnitEndScope scope)
    {
        if (_unit.Unit.Language == SourceLanguage.Assembly)
        {
            return;
        }
        var inactive = scope.InactiveRanges.GroupBy(r => r.File).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        foreach (var file in scope.IncludedFiles)
        {
            var scan = _scans.Get(_unit, file);
            if (scan.Candidates.IsEmpty)
            {
                continue;
            }
            var ranges = inactive.GetValueOrDefault(file) ?? [];
            _lexicalUses.Add(new LexicalUse(file, scan.Candidates
                .Select(c => !ranges.Any(r => r.Contains(c.Line))).ToImmutableArray()));
        }
    }

    public IUnitFacts? Complete() =>
        _sites.Count == 0 && _wrappers.Count == 0 && _calls.Count == 0 && _lexicalUses.Count == 0
            ? null
            : new PageTableFacts(_unit.Unit.Arch, _unit.Unit.Language == SourceLanguage.Cxx ? SourceContext.Cxx : SourceContext.C,
                _sites.ToImmutableArray(), _wrappers.ToImmutableArray(), _calls.ToImmutableArray())
            {
                LexicalUses = _lexicalUses.ToImmutableArray(),
            };

    // ---- types -------------------------------------------------------------------------------------------

    /// <summary>The rule type name <paramref name="type"/> is (through its typedef chain, or canonically), or null.</summary>
    internal string? PteType(ClangType type)
    {
        if (!type.IsValid)
        {
            return null;
        }
        var key = type.Identity;
        if (_pteTypes.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var result = ResolvePteType(type);
        _pteTypes[key] = result;
        return result;
    }

    private string? ResolvePteType(ClangType type)
    {
        var current = type;
        for (var step = 0; step < 32; step++)
        {
            switch (current.Kind)
            {
                case CXTypeKind.CXType_Typedef:
                    var name = current.TypedefName;
                    if (_rules.Types.Contains(name))
                    {
                        return name;
                    }
                    current = current.Desugared;
                    continue;
                case CXTypeKind.CXType_Elaborated or CXTypeKind.CXType_Attributed:
                    current = current.Desugared;
                    continue;
                case CXTypeKind.CXType_Atomic:
                    current = current.AtomicValue;
                    continue;
            }
            break;
        }
        if (_rules.HasCanonicalTypes)
        {
            var canonical = type.Canonical.Spelling;
            if (_rules.Types.Contains(canonical))
            {
                return canonical;
            }
        }
        return null;
    }

    /// <summary>The PTE type a pointer or array type points to, or null.</summary>
    private string? PointeePteType(ClangType type)
    {
        var current = type;
        for (var step = 0; step < 32 && current.IsValid; step++)
        {
            switch (current.Kind)
            {
                case CXTypeKind.CXType_Pointer:
                    return PteType(current.Pointee);
                case CXTypeKind.CXType_ConstantArray or CXTypeKind.CXType_IncompleteArray or CXTypeKind.CXType_VariableArray:
                    return PteType(current.ArrayElement);
                case CXTypeKind.CXType_Typedef or CXTypeKind.CXType_Elaborated or CXTypeKind.CXType_Attributed:
                    current = current.Desugared;
                    continue;
            }
            return null;
        }
        return null;
    }

    /// <summary>
    /// A parameter that is the entry's address: a PTE pointer or array, or an integer address cast to one
    /// (`*(pt_entry_t *)va`). A pmap or struct pointer is not: a routine that edits its pmap's tables is pmap
    /// code to port, not a one-line helper that stands for its callers.
    /// </summary>
    private bool IsEntryAddress(ClangType type)
    {
        var kind = type.Canonical.Kind;
        return PointeePteType(type) is not null
            || kind is not (CXTypeKind.CXType_Pointer or CXTypeKind.CXType_Record or CXTypeKind.CXType_ConstantArray
                or CXTypeKind.CXType_IncompleteArray);
    }

    private static bool IsPointer(ClangType type) => type.Canonical.Kind == CXTypeKind.CXType_Pointer;

    // ---- expressions -------------------------------------------------------------------------------------

    /// <summary>
    /// How an lvalue of PTE type reaches memory: through a pointer (`*p`, `*(pt_entry_t *)va`), an array
    /// element, or a struct field. Null for a variable: a PTE-typed local is a value being built, not a table.
    /// </summary>
    private static string? MemoryForm(Cursor lvalue)
    {
        var expression = SkipParens(lvalue);
        switch (expression.Kind)
        {
            case CXCursorKind.CXCursor_UnaryOperator:
                var (operand, _) = Operands(expression);
                if (operand.IsNull || !IsPointer(operand.Type))
                {
                    return null;
                }
                return SkipParens(operand).Kind == CXCursorKind.CXCursor_CStyleCastExpr ? "cast" : "pointer";
            case CXCursorKind.CXCursor_ArraySubscriptExpr:
                var (array, _) = Operands(expression);
                var arrayBase = SkipCasts(array);
                if (arrayBase.Kind == CXCursorKind.CXCursor_DeclRefExpr && IsLocalArray(arrayBase.Referenced))
                {
                    return null;
                }
                return arrayBase.Kind == CXCursorKind.CXCursor_MemberRefExpr ? "field-array" : "array";
            case CXCursorKind.CXCursor_MemberRefExpr:
                return "field";
            default:
                return null;
        }
    }

    private static bool IsLocalArray(Cursor declaration) =>
        declaration.Kind == CXCursorKind.CXCursor_VarDecl
        && declaration.SemanticParent.Kind is CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_CXXMethod
        && declaration.Type.Canonical.Kind is CXTypeKind.CXType_ConstantArray or CXTypeKind.CXType_VariableArray;

    private static bool IsLocalScalar(Cursor declaration) =>
        declaration.Kind is CXCursorKind.CXCursor_VarDecl or CXCursorKind.CXCursor_ParmDecl
        && declaration.SemanticParent.Kind is CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_CXXMethod
        && declaration.Type.Canonical.Kind is not (CXTypeKind.CXType_ConstantArray or CXTypeKind.CXType_VariableArray
            or CXTypeKind.CXType_IncompleteArray);

    /// <summary>
    /// The argument of a bulk or atomic operation, when it points to PTE memory. Casts to void * or to an atomic
    /// pointer are looked through; `&amp;pte` of a local PTE variable is not page-table memory.
    /// </summary>
    private (Cursor Expression, string Type)? PteTarget(Cursor argument)
    {
        var expression = argument;
        for (var step = 0; step < 16 && !expression.IsNull; step++)
        {
            if (PointeePteType(expression.Type) is { } type)
            {
                if (expression.Kind == CXCursorKind.CXCursor_UnaryOperator)
                {
                    var (operand, _) = Operands(expression);
                    var variable = SkipCasts(operand);
                    if (variable.Kind == CXCursorKind.CXCursor_DeclRefExpr && IsLocalScalar(variable.Referenced))
                    {
                        return null;
                    }
                }
                return (expression, type);
            }
            if (expression.Kind is not (CXCursorKind.CXCursor_UnexposedExpr or CXCursorKind.CXCursor_CStyleCastExpr
                or CXCursorKind.CXCursor_ParenExpr or CXCursorKind.CXCursor_CXXStaticCastExpr
                or CXCursorKind.CXCursor_CXXReinterpretCastExpr or CXCursorKind.CXCursor_CXXConstCastExpr))
            {
                return null;
            }
            expression = Operand(expression);
        }
        return null;
    }

    /// <summary>The declaration a store's address is computed from (`entryp` in `*entryp`, `ptes[i]`, `p->pte`).</summary>
    private static Cursor? StoreRoot(Cursor target)
    {
        var expression = target;
        for (var step = 0; step < 16 && !expression.IsNull; step++)
        {
            expression = SkipCasts(expression);
            switch (expression.Kind)
            {
                case CXCursorKind.CXCursor_DeclRefExpr:
                    return expression.Referenced;
                case CXCursorKind.CXCursor_UnaryOperator or CXCursorKind.CXCursor_ArraySubscriptExpr
                    or CXCursorKind.CXCursor_MemberRefExpr or CXCursorKind.CXCursor_BinaryOperator:
                    expression = Operands(expression).First;
                    continue;
            }
            return null;
        }
        return null;
    }

    private bool TakesPtePointer(string name, Cursor call)
    {
        if (_takesPtePointer.TryGetValue(name, out var known))
        {
            return known;
        }
        var callee = call.Referenced;
        var result = false;
        if (!callee.IsNull && callee.Kind == CXCursorKind.CXCursor_FunctionDecl)
        {
            var count = callee.ArgumentCount;
            for (var i = 0; i < count && !result; i++)
            {
                result = PointeePteType(callee.Argument(i).Type) is not null;
            }
        }
        _takesPtePointer[name] = result;
        return result;
    }

    private static Cursor SkipParens(Cursor expression)
    {
        while (expression.Kind == CXCursorKind.CXCursor_ParenExpr)
        {
            expression = Operands(expression).First;
        }
        return expression;
    }

    private static Cursor SkipCasts(Cursor expression)
    {
        while (expression.Kind is CXCursorKind.CXCursor_ParenExpr or CXCursorKind.CXCursor_UnexposedExpr
            or CXCursorKind.CXCursor_CStyleCastExpr)
        {
            var inner = Operand(expression);
            if (inner.IsNull)
            {
                break;
            }
            expression = inner;
        }
        return expression;
    }

    /// <summary>
    /// The operand of a cast, paren or implicit conversion: its last child. A cast to `__typeof__(*(p)) *` (XNU's
    /// os_atomic casts) also has the typeof's expression as a child, before the operand.
    /// </summary>
    private static Cursor Operand(Cursor expression)
    {
        var visitor = new OperandVisitor();
        expression.VisitChildren(visitor);
        return visitor.Last;
    }

    /// <summary>The first two children of an expression (operands), skipping a type reference a cast begins with.</summary>
    private static (Cursor First, Cursor Second) Operands(Cursor expression)
    {
        var visitor = new OperandVisitor();
        expression.VisitChildren(visitor);
        return (visitor.First, visitor.Second);
    }

    private sealed class OperandVisitor : ICursorVisitor
    {
        public Cursor First;
        public Cursor Second;
        public Cursor Last;
        private int _count;
        public int Count => _count;

        public OperandVisitor()
        {
            First = Cursor.Null;
            Second = Cursor.Null;
            Last = Cursor.Null;
        }

        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            // A cast's written type comes first as a TypeRef; it is not an operand.
            if (cursor.Kind is CXCursorKind.CXCursor_TypeRef)
            {
                return ChildVisit.Continue;
            }
            Last = cursor;
            if (_count == 0)
            {
                First = cursor;
            }
            else if (_count == 1)
            {
                Second = cursor;
            }
            _count++;
            return ChildVisit.Continue;
        }
    }
}
