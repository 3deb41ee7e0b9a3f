using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Parsing;

namespace Parascope.Detectors.Platform;

/// <summary>
/// Keeps, from the shared walk, the platform sites of a unit: if and switch statements whose condition reads the
/// CPU's or the hypervisor's identity (with the constants they compare and the panic or default taken otherwise),
/// and calls that read a time source or touch firmware and platform devices. Only function bodies are looked at; a
/// condition's subtree is read only for if/switch statements, a branch's only when its condition matched.
/// </summary>
internal sealed class PlatformCollector : IUnitCollector
{
    private const int MaxDetail = 160;
    private static readonly ImmutableHashSet<string> NotValues = ImmutableHashSet.Create(StringComparer.Ordinal, "NULL", "TRUE", "FALSE");

    private readonly PlatformRules _rules;
    private readonly List<PlatformSite> _sites = new();
    private readonly List<VariableGate> _gates = new();
    private readonly List<VariableAssignment> _assignments = new();
    private readonly List<EarlyReturn> _earlyReturns = new();
    private readonly Dictionary<Cursor, string?> _names = new();
    private string? _function;
    /// <summary>Locals of the current function initialised from a condition reader: name → the reader.</summary>
    private readonly Dictionary<string, string> _tainted = new(StringComparer.Ordinal);
    /// <summary>Locals of the current function that hold a call rule's result.</summary>
    private readonly HashSet<string> _stored = new(StringComparer.Ordinal);
    /// <summary>A call rule's call whose result an assignment stores, by where the call is written: the walk meets the call next.</summary>
    private (int Line, int Column, string Variable)? _pendingAssignment;
    /// <summary>The current function's body: the first compound statement the walk meets in it.</summary>
    private Cursor _body = Cursor.Null;
    /// <summary>
    /// The current function's blocks (compound statements, and conditions and loops, whose parts run on a condition) as
    /// offsets, in walk order: the innermost holding a point is the last. Not a switch's cases: a case's label holds only
    /// its first statement. Their offsets are read only when a read's value is followed (<see cref="BlockAt"/>): the
    /// walk keeps the cursors, every function's, and most functions never ask.
    /// </summary>
    private readonly List<(int Start, int End)> _blocks = new();
    private readonly List<Cursor> _blockCursors = new();
    /// <summary>
    /// Variables of the current function holding a read's value (or a read field's), by name: one origin per block that
    /// set it (`tscGranularity` gets one read's value on one path of a switch, another's on another).
    /// </summary>
    private readonly Dictionary<string, List<ValueOrigin>> _origins = new(StringComparer.Ordinal);
    /// <summary>Whether the current function has had a site: only there are fields followed into divisions.</summary>
    private bool _functionHasSite;
    private readonly List<DivisionByRead> _divisions = new();
    /// <summary>The current function's switches on the CPU's identity: a site in one of their cases is met only on that case's path.</summary>
    private readonly List<IdentitySwitch> _switches = new();
    private readonly List<FieldFromRead> _fieldStores = new();
    /// <summary>The current function's last read into each variable: its index in the sites and its block.</summary>
    private readonly Dictionary<string, (int Index, int Block)> _lastRead = new(StringComparer.Ordinal);
    /// <summary>The current function's case and default labels, with the block they are written in.</summary>
    private readonly List<(int Offset, int Block)> _caseLabels = new();
    private readonly List<Cursor> _labelCursors = new();

    /// <summary>Where a variable's value came from — a read of this unit or a structure field (its USR) — and the block it was set in.</summary>
    private readonly record struct ValueOrigin(string? ReadFile, int ReadLine, int ReadColumn, string? Field, int Block);

    public PlatformCollector(PlatformRules rules) => _rules = rules;

    public void OnCursor(Cursor cursor, AstScope scope)
    {
        if (scope.Function is null || _rules.IsEmpty)
        {
            return;
        }
        if (!string.Equals(scope.Function, _function, StringComparison.Ordinal))
        {
            _function = scope.Function;
            _tainted.Clear();
            _stored.Clear();
            _pendingAssignment = null;
            _body = Cursor.Null;
            _blocks.Clear();
            _blockCursors.Clear();
            _origins.Clear();
            _switches.Clear();
            _lastRead.Clear();
            _caseLabels.Clear();
            _labelCursors.Clear();
            _functionHasSite = false;
        }
        if (cursor.Kind is CXCursorKind.CXCursor_CompoundStmt || PanicScan.Guards(cursor))
        {
            // A block, or a statement whose parts run on a condition (`if (flex) ratio = …;` has no braces).
            _blockCursors.Add(cursor);
        }
        else if (cursor.Kind is CXCursorKind.CXCursor_CaseStmt or CXCursorKind.CXCursor_DefaultStmt)
        {
            // A case without braces runs the statements up to the next label: another path in the same block.
            _labelCursors.Add(cursor);
        }
        switch (cursor.Kind)
        {
            case CXCursorKind.CXCursor_CompoundStmt when _body.IsNull:
                _body = cursor;
                break;
            case CXCursorKind.CXCursor_BinaryOperator or CXCursorKind.CXCursor_CompoundAssignOperator when _origins.Count > 0 && cursor.IsDivision:
                OnDivision(cursor, scope);
                break;
            case CXCursorKind.CXCursor_IfStmt:
                OnIf(cursor, scope);
                break;
            case CXCursorKind.CXCursor_SwitchStmt:
                OnSwitch(cursor, scope);
                break;
            case CXCursorKind.CXCursor_VarDecl:
                OnVariable(cursor, scope);
                break;
            case CXCursorKind.CXCursor_BinaryOperator when cursor.IsAssignment:
                OnAssignment(cursor, scope);
                break;
            case CXCursorKind.CXCursor_CallExpr:
                OnCall(cursor, scope);
                break;
            case CXCursorKind.CXCursor_DeclRefExpr when !_rules.References.IsEmpty:
                OnReference(cursor, scope);
                break;
        }
    }

    private string? NameOf(Cursor declaration)
    {
        if (declaration.IsNull)
        {
            return null;
        }
        if (!_names.TryGetValue(declaration, out var name))
        {
            name = declaration.Spelling;
            _names[declaration] = name;
        }
        return name;
    }

    /// <summary>
    /// The called function's name. XNU's panic macro calls `(panic)(…)`: libclang resolves no declaration for a
    /// parenthesised callee, so the callee expression is read.
    /// </summary>
    private string? CalleeOf(Cursor call)
    {
        var declaration = call.Referenced;
        if (!declaration.IsNull)
        {
            return NameOf(declaration);
        }
        var children = call.Children();
        if (children.Count == 0)
        {
            return null;
        }
        var callee = Unwrap(children[0]);
        return callee.Kind == CXCursorKind.CXCursor_DeclRefExpr ? NameOf(callee.Referenced) : null;
    }

    // ------------------------------------------------------------------ conditions

    private void OnIf(Cursor statement, AstScope scope)
    {
        var children = statement.Children();
        if (children.Count < 2)
        {
            return;
        }
        if (children.Count == 2 && EarlyReturnOf(statement, children, scope) is { } early)
        {
            _earlyReturns.Add(early);
        }
        // A C++ if with an init statement or a condition variable puts them first: the condition is the last expression before the branches.
        var condition = children[0];
        if (_origins.Count > 0)
        {
            ForgetTestedForZero(scope.TranslationUnit.Tokenize(condition.Extent));
        }
        var scan = Scan(condition);
        if (scan.Readers.Count == 0)
        {
            if (_stored.Count > 0 && scan.Identifiers.FirstOrDefault(_stored.Contains) is { } variable)
            {
                // Only a panic this test takes by itself: `if (err == kSuccess) { if (size != expected) panic(…); }`
                // panics on a property that was found, with the wrong size — not on the read's failure.
                var panic = PanicIn(children.Skip(1), scope, direct: true);
                if (panic is not null && At(statement, scope) is { } at)
                {
                    _gates.Add(new VariableGate(at.File, scope.Function, variable, at.Line, panic));
                }
            }
            return;
        }
        var tokens = scope.TranslationUnit.Tokenize(condition.Extent);
        var rule = Choose(scan, tokens);
        if (rule is null)
        {
            return;
        }
        var otherwise = PanicIn(children.Skip(1), scope);
        if (rule.Kind == PlatformRuleKind.Gate && otherwise is null && scan.Strings.Count == 0)
        {
            return;
        }
        var denyList = otherwise is not null && MatchesOnlyListedValues(tokens) && PanicIn([children[1]], scope) == otherwise;
        if (denyList)
        {
            // `if (family == 6 && (model == HASWELL && stepping < 3 || …)) panic(…)`: the listed machines panic, any other
            // goes on — a virtual CPU that is none of them passes, so the gate does not block (it is no panic otherwise).
            otherwise = $"goes on unless the machine is one of the listed values, which panic: {otherwise}";
        }
        if (At(statement, scope) is not { } site)
        {
            return;
        }
        // A string comparison's length and its `== 0` are not values the machine presents: keep the strings and names.
        var values = scan.Strings.Select(Quote).Concat(Constants(tokens).Where(v => scan.Strings.Count == 0 || !char.IsAsciiDigit(v[0])))
            .Distinct(StringComparer.Ordinal).ToImmutableArray();
        var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        properties["reader"] = string.Join(", ", scan.Readers.Select(r => r.Name).Distinct(StringComparer.Ordinal));
        var then = CallsIn(children[1]);
        if (then.Length > 0)
        {
            properties["then"] = then;
        }
        if (denyList)
        {
            properties["panics-on"] = "listed values";
        }
        if (otherwise is not null && !denyList && BaselineOnly(rule, tokens, children, scope) is { } features)
        {
            // if (cpuid_features() & CPUID_FEATURE_FXSR) {…} else panic(…): every CPU a guest runs on has FXSR.
            otherwise = $"never taken: {string.Join(", ", features)} {(features.Count == 1 ? "is" : "are")} in every guest CPU's CPUID (baseline); without: {otherwise}";
            properties["baseline-features"] = string.Join(", ", features);
        }
        AddSite(statement, new PlatformSite(rule.Rule.Id, site.File, site.Line, site.Column, scope.Function,
            Clip("if (" + Text(tokens) + ")"), values, otherwise)
        {
            Properties = properties.ToImmutable(),
        });
    }

    /// <summary>
    /// True when a condition holds only for listed values: nothing in it negates (`!=`, `!`, `== 0`) and each alternative
    /// of its outermost `||` compares with `==` (`family == 6 &amp;&amp; (model == A &amp;&amp; stepping &lt; 3 || model == B &amp;&amp; stepping &lt; 1)`).
    /// </summary>
    private static bool MatchesOnlyListedValues(IReadOnlyList<Token> tokens)
    {
        // `x == 0`, `== FALSE`, `== NULL` test for an absence, as `!` does.
        if (tokens.Select((t, i) => (t, i)).Any(p => p.t.Text is "!=" or "!"
                || p.t.Text == "==" && (IsNothing(tokens, p.i - 1) || IsNothing(tokens, p.i + 1))))
        {
            return false;
        }
        var (start, end) = (0, tokens.Count);
        while (end - start >= 2 && tokens[start].Text == "(" && Closing(tokens, start) == end - 1)
        {
            (start, end) = (start + 1, end - 1);
        }
        var depth = 0;
        var equality = false;
        for (var i = start; i < end; i++)
        {
            switch (tokens[i].Text)
            {
                case "(":
                    depth++;
                    break;
                case ")":
                    depth--;
                    break;
                case "==":
                    equality = true;
                    break;
                case "||" when depth == 0:
                    if (!equality)
                    {
                        return false;
                    }
                    equality = false;
                    break;
            }
        }
        return equality;
    }

    /// <summary>
    /// The feature constants of a condition whose panic is taken only when they are missing — the panic in the else
    /// branch of `features &amp; A &amp;&amp; features &amp; B`, or in the then branch of `!(features &amp; A)` or `(features &amp; A) == 0` —
    /// when each is one of the rule's baseline features; null otherwise (a panic on a feature's presence, a constant
    /// that is not a baseline feature, a number).
    /// </summary>
    private List<string>? BaselineOnly(PlatformRule rule, List<Token> tokens, List<Cursor> children, AstScope scope)
    {
        if (rule.BaselineFeatures.IsEmpty || tokens.Count == 0)
        {
            return null;
        }
        static bool Plain(IEnumerable<Token> part) => !part.Any(t => t.Text is "!" or "==" or "!=" or "||" or "?");
        var equalsZero = tokens.Count > 2 && tokens[^2].Text == "==" && IsNothing(tokens, tokens.Count - 1);
        var tested = equalsZero ? tokens.GetRange(0, tokens.Count - 2) : tokens;
        if (tested.Exists(t => t.Kind == TokenKind.Literal))
        {
            return null;
        }
        var names = tested.Where(t => t.Kind == TokenKind.Identifier && IsConstantName(t.Text)).Select(t => t.Text).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0 || !names.TrueForAll(rule.BaselineFeatures.Contains))
        {
            return null;
        }
        var negated = (equalsZero && Plain(tested))
            || (tokens[0].Text == "!" && tokens.Count > 1 && tokens[1].Text == "(" && Closing(tokens, 1) == tokens.Count - 1 && Plain(tokens.Skip(1)));
        var positive = Plain(tokens);
        var thenPanics = PanicIn([children[1]], scope) is not null;
        var elsePanics = children.Count > 2 && PanicIn([children[2]], scope) is not null;
        return (positive && elsePanics && !thenPanics) || (negated && thenPanics && !elsePanics) ? names : null;
    }

    private static bool IsNothing(IReadOnlyList<Token> tokens, int index) =>
        index >= 0 && index < tokens.Count && tokens[index].Text is "0" or "0U" or "0UL" or "0ULL" or "FALSE" or "false" or "NULL" or "nullptr";

    /// <summary>The index of the `)` that closes the `(` at OPEN, or -1.</summary>
    private static int Closing(IReadOnlyList<Token> tokens, int open)
    {
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            depth += tokens[i].Text switch { "(" => 1, ")" => -1, _ => 0 };
            if (depth == 0)
            {
                return i;
            }
        }
        return -1;
    }

    private void OnSwitch(Cursor statement, AstScope scope)
    {
        var children = statement.Children();
        if (children.Count < 2)
        {
            return;
        }
        var condition = children[0];
        var scan = Scan(condition);
        if (scan.Readers.Count == 0)
        {
            return;
        }
        var tokens = scope.TranslationUnit.Tokenize(condition.Extent);
        var rule = Choose(scan, tokens);
        if (rule is null)
        {
            return;
        }
        var body = children[^1];
        var cases = new CaseScan(scope.TranslationUnit);
        body.VisitChildren(cases);
        var otherwise = PanicIn([body], scope);
        if (rule.Kind == PlatformRuleKind.Gate && cases.Labels.Count < 2 && otherwise is null)
        {
            return;
        }
        if (At(statement, scope) is not { } site)
        {
            return;
        }
        otherwise ??= cases.Default is { } fallback ? "default: " + fallback : "no default case: a value outside the table skips it";
        _switches.Add(new IdentitySwitch(body.Extent.Start.Expansion.Offset, body.Extent.End.Expansion.Offset,
            $"switch ({Clip(Text(tokens), 60)}) at line {site.Line.ToString(CultureInfo.InvariantCulture)}", cases.Cases));
        var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        properties["reader"] = string.Join(", ", scan.Readers.Select(r => r.Name).Distinct(StringComparer.Ordinal));
        properties["cases"] = cases.Labels.Count.ToString(CultureInfo.InvariantCulture);
        AddSite(statement, new PlatformSite(rule.Rule.Id, site.File, site.Line, site.Column, scope.Function,
            Clip("switch (" + Text(tokens) + ")"), [.. cases.Labels.Distinct(StringComparer.Ordinal)], otherwise)
        {
            Properties = properties.ToImmutable(),
        });
    }

    /// <summary>
    /// `if (mode == MODE_NONE) { …; return; }` or `if (!enabled) return;` written directly in the function's body, on a
    /// file-scope variable that no initializer in this unit sets to anything but zero: the rest of the function runs
    /// only once something (a boot-arg, a configuration step) has set it. XNU's `i386_lbr_init` returns this way
    /// unless the `lbr_support` boot-arg enabled LBR, before its family switch that panics.
    /// </summary>
    private EarlyReturn? EarlyReturnOf(Cursor statement, List<Cursor> children, AstScope scope)
    {
        var condition = Unwrap(children[0]);
        if (condition.Kind is not (CXCursorKind.CXCursor_BinaryOperator or CXCursorKind.CXCursor_UnaryOperator) || _body.IsNull
            || !Returns(children[1]))
        {
            return null;
        }
        var operands = condition.Children();
        var tokens = scope.TranslationUnit.Tokenize(children[0].Extent);
        var variable = Cursor.Null;
        if (condition.Kind == CXCursorKind.CXCursor_UnaryOperator && operands.Count == 1 && tokens.Count == 2 && tokens[0].Text == "!")
        {
            variable = Unwrap(operands[0]);
        }
        else if (condition.Kind == CXCursorKind.CXCursor_BinaryOperator && operands.Count == 2 && tokens.Count == 3 && tokens[1].Text == "==")
        {
            var (left, right) = (Unwrap(operands[0]), Unwrap(operands[1]));
            variable = IsZero(right) ? left : IsZero(left) ? right : Cursor.Null;
        }
        if (!IsZeroGlobal(variable) || !_body.Children().Exists(s => SameStatement(s, statement)) || At(statement, scope) is not { } at)
        {
            return null;
        }
        return new EarlyReturn(at.File, scope.Function, at.Line, variable.Spelling, Text(tokens));
    }

    /// <summary>
    /// The same statement met by two walks: clang_equalCursors tells the walk's cursor from the one Children() gives
    /// (their parent data differ), so the statement is known by its kind and its extent.
    /// </summary>
    private static bool SameStatement(Cursor a, Cursor b) =>
        a.Kind == b.Kind && a.Extent.Start.Expansion == b.Extent.Start.Expansion && a.Extent.End.Expansion == b.Extent.End.Expansion;

    /// <summary>An expression cursor (a declaration's initializer), not a type or attribute reference.</summary>
    private static bool IsExpression(Cursor cursor) =>
        cursor.Kind is >= CXCursorKind.CXCursor_UnexposedExpr and < CXCursorKind.CXCursor_UnexposedStmt;

    /// <summary>A return, or a block whose last statement is one.</summary>
    private static bool Returns(Cursor branch) =>
        branch.Kind == CXCursorKind.CXCursor_ReturnStmt
        || (branch.Kind == CXCursorKind.CXCursor_CompoundStmt && branch.Children() is { Count: > 0 } statements
            && statements[^1].Kind == CXCursorKind.CXCursor_ReturnStmt);

    /// <summary>A constant zero (a literal, an enumerator, a macro), not a variable.</summary>
    private static bool IsZero(Cursor expression) =>
        !(expression.Kind == CXCursorKind.CXCursor_DeclRefExpr && expression.Referenced.Kind == CXCursorKind.CXCursor_VarDecl)
        && expression.EvaluateInteger() == 0;

    /// <summary>
    /// A file-scope variable that starts at zero: its definition, when this unit has it, has no initializer or one that
    /// folds to 0 (xnu-11417's kern_trustcache.c tests `trust_cache_rt == NULL` of a pointer it initialises to
    /// `&amp;trust_cache_rt_storage` on x86_64: that return is not taken). A definition in another unit is not seen; it is
    /// taken to be zero, as an extern mode set by a boot-arg (i386_init.c's `last_branch_enabled_modes`) is.
    /// </summary>
    private static bool IsZeroGlobal(Cursor reference)
    {
        if (reference.Kind != CXCursorKind.CXCursor_DeclRefExpr)
        {
            return false;
        }
        var declaration = reference.Referenced;
        if (declaration.Kind != CXCursorKind.CXCursor_VarDecl || declaration.SemanticParent.Kind != CXCursorKind.CXCursor_TranslationUnit)
        {
            return false;
        }
        var definition = declaration.Definition;
        if (definition.IsNull || definition.Children() is not { Count: > 0 } parts || !IsExpression(parts[^1]))
        {
            return true;
        }
        return parts[^1].EvaluateInteger() == 0;
    }

    /// <summary>The rule a matched condition belongs to: hypervisor over timekeeping over CPU identity.</summary>
    private PlatformRule? Choose(ConditionScan scan, List<Token> tokens)
    {
        var candidates = scan.Readers.SelectMany(r => r.Rules).ToList();
        foreach (var token in tokens)
        {
            if (token.Kind == TokenKind.Identifier && _rules.ConditionMacros.TryGetValue(token.Text, out var rules))
            {
                candidates.AddRange(rules);
            }
        }
        return candidates.OrderBy(r => r.Precedence).ThenBy(r => r.Rule.Id, StringComparer.Ordinal).FirstOrDefault();
    }

    private ConditionScan Scan(Cursor condition)
    {
        var scan = new ConditionScan(this);
        scan.Visit(condition, Cursor.Null);
        condition.VisitChildren(scan);
        return scan;
    }

    /// <summary>Walks a condition: the readers it calls or reads, the strings it compares, the names it uses.</summary>
    private sealed class ConditionScan(PlatformCollector owner) : ICursorVisitor
    {
        public readonly List<(string Name, ImmutableArray<PlatformRule> Rules)> Readers = new();
        public readonly List<string> Strings = new();
        public readonly List<string> Identifiers = new();

        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            switch (cursor.Kind)
            {
                case CXCursorKind.CXCursor_CallExpr:
                    {
                        var name = owner.NameOf(cursor.Referenced);
                        if (name is null)
                        {
                            break;
                        }
                        if (owner._rules.ConditionFunctions.TryGetValue(name, out var rules))
                        {
                            Readers.Add((name + "()", rules));
                        }
                        if (PlatformRules.StringCompares.Contains(name))
                        {
                            for (var i = 0; i < cursor.ArgumentCount; i++)
                            {
                                if (cursor.Argument(i).EvaluateString() is { Length: > 0 } text)
                                {
                                    Strings.Add(text);
                                }
                            }
                        }
                        break;
                    }
                case CXCursorKind.CXCursor_MemberRefExpr:
                    {
                        var field = cursor.Spelling;
                        if (owner._rules.ConditionFields.TryGetValue(field, out var rules))
                        {
                            Readers.Add((field, rules));
                        }
                        break;
                    }
                case CXCursorKind.CXCursor_DeclRefExpr:
                    {
                        var name = cursor.Spelling;
                        Identifiers.Add(name);
                        if (owner._tainted.TryGetValue(name, out var reader))
                        {
                            var rules = owner._rules.ConditionFields.TryGetValue(reader, out var fields) ? fields
                                : owner._rules.ConditionFunctions.TryGetValue(reader.TrimEnd('(', ')'), out var functions) ? functions : [];
                            if (!rules.IsEmpty)
                            {
                                Readers.Add((name + " = " + reader, rules));
                            }
                        }
                        break;
                    }
            }
            return ChildVisit.Recurse;
        }
    }

    /// <summary>A switch body's case labels as written (nested switches are theirs), and its default's first statement.</summary>
    private sealed class CaseScan(TranslationUnit unit) : ICursorVisitor
    {
        public readonly List<string> Labels = new();
        public string? Default;
        /// <summary>Each case and default statement: where it starts and ends, and its label (`default` for the default).</summary>
        public readonly List<(int Start, int End, string Label)> Cases = new();

        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            switch (cursor.Kind)
            {
                case CXCursorKind.CXCursor_SwitchStmt:
                    return ChildVisit.Continue;
                case CXCursorKind.CXCursor_CaseStmt:
                    {
                        // The label as written (a macro's name, not its value): the case's own tokens up to the colon.
                        var tokens = unit.Tokenize(cursor.Extent);
                        var colon = tokens.FindIndex(t => t.Text == ":");
                        if (tokens.Count > 1 && tokens[0].Text == "case" && colon > 1)
                        {
                            Labels.Add(Text(tokens.GetRange(1, colon - 1)));
                            Cases.Add((cursor.Extent.Start.Expansion.Offset, cursor.Extent.End.Expansion.Offset, Labels[^1]));
                        }
                        break;
                    }
                case CXCursorKind.CXCursor_DefaultStmt:
                    {
                        var children = cursor.Children();
                        Default = children.Count > 0 ? Clip(Text(unit.Tokenize(children[0].Extent)), 80) : "(empty)";
                        Cases.Add((cursor.Extent.Start.Expansion.Offset, cursor.Extent.End.Expansion.Offset, "default"));
                        break;
                    }
            }
            return ChildVisit.Recurse;
        }
    }

    /// <summary>
    /// The first panic in the statements, as `panic("text")`; null when none panics. DIRECT: only a panic no other
    /// condition or loop inside the statements guards.
    /// </summary>
    private string? PanicIn(IEnumerable<Cursor> statements, AstScope scope, bool direct = false)
    {
        var scan = new PanicScan(this, scope, direct);
        foreach (var statement in statements)
        {
            if (direct && PanicScan.Guards(statement))
            {
                continue;
            }
            scan.Visit(statement, Cursor.Null);
            if (scan.Found is null)
            {
                statement.VisitChildren(scan);
            }
            if (scan.Found is not null)
            {
                return scan.Found;
            }
        }
        return null;
    }

    private sealed class PanicScan(PlatformCollector owner, AstScope scope, bool direct) : ICursorVisitor
    {
        public string? Found;

        /// <summary>A statement that decides again whether what it holds runs: a condition, a switch, a loop.</summary>
        public static bool Guards(Cursor statement) => statement.Kind is CXCursorKind.CXCursor_IfStmt or CXCursorKind.CXCursor_SwitchStmt
            or CXCursorKind.CXCursor_WhileStmt or CXCursorKind.CXCursor_ForStmt or CXCursorKind.CXCursor_DoStmt
            or CXCursorKind.CXCursor_ConditionalOperator;

        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            if (Found is not null)
            {
                return ChildVisit.Break;
            }
            if (direct && Guards(cursor))
            {
                return ChildVisit.Continue;
            }
            if (cursor.Kind == CXCursorKind.CXCursor_CallExpr && owner.CalleeOf(cursor) is { } name && PlatformRules.PanicFunctions.Contains(name))
            {
                // The text as written: panic is a macro whose expansion adds the location (# ex "@" __FILE__) or, with
                // CONFIG_NO_PANIC_STRINGS, drops the message (_consume_panic_args); the use still has it.
                var message = WrittenMessage(cursor, scope);
                for (var i = 0; i < cursor.ArgumentCount && message is null; i++)
                {
                    message = cursor.Argument(i).EvaluateString();
                }
                Found = $"panic({(message is null ? "…" : Quote(message.Replace("\\n", string.Empty, StringComparison.Ordinal).TrimEnd('\n')))})";
                return ChildVisit.Break;
            }
            return ChildVisit.Recurse;
        }
    }

    /// <summary>The first string literal of a call as written in the source (after its opening parenthesis), read from the file.</summary>
    private static string? WrittenMessage(Cursor call, AstScope scope)
    {
        var at = scope.Macros.WrittenAt(call.Extent.Start);
        if (scope.RelativePath(at.File) is not { } file || scope.Unit.Texts.Get(scope.AbsolutePath(file)) is not { } source
            || at.Line < 1 || at.Line > source.LineCount)
        {
            return null;
        }
        var start = Math.Min(source.Text.Length, source.LineStarts[at.Line - 1] + Math.Max(0, at.Column - 1));
        var text = source.Text.AsSpan(start, Math.Min(400, source.Text.Length - start));
        var open = text.IndexOf('(');
        if (open < 0)
        {
            return null;
        }
        var quote = text[(open + 1)..].IndexOf('"');
        // Only a literal that is the first argument: panic("…"), not panic(fmt, …).
        if (quote < 0 || !text.Slice(open + 1, quote).IsWhiteSpace())
        {
            return null;
        }
        var rest = text[(open + 1 + quote + 1)..];
        var end = 0;
        while (end < rest.Length && rest[end] != '"')
        {
            end += rest[end] == '\\' ? 2 : 1;
        }
        return end <= rest.Length ? rest[..Math.Min(end, rest.Length)].ToString() : null;
    }

    /// <summary>The first few distinct functions a branch calls (what the branch changes), panics apart.</summary>
    private string CallsIn(Cursor branch)
    {
        var scan = new CallScan(this);
        branch.VisitChildren(scan);
        return string.Join(", ", scan.Names);
    }

    private sealed class CallScan(PlatformCollector owner) : ICursorVisitor
    {
        public readonly List<string> Names = new();

        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            if (Names.Count >= 3)
            {
                return ChildVisit.Break;
            }
            if (cursor.Kind == CXCursorKind.CXCursor_CallExpr && owner.NameOf(cursor.Referenced) is { } name
                && !PlatformRules.PanicFunctions.Contains(name) && !Names.Contains(name))
            {
                Names.Add(name);
            }
            return ChildVisit.Recurse;
        }
    }

    // ------------------------------------------------------------------ locals: readers and stored calls

    private void OnVariable(Cursor declaration, AstScope scope)
    {
        var children = declaration.Children();
        if (children.Count == 0)
        {
            return;
        }
        if (IsExpression(children[^1]))
        {
            Follow(declaration.Spelling, children[^1], declaration);
        }
        Remember(declaration.Spelling, children[^1], scope);
    }

    // ------------------------------------------------------------------ paths of an identity switch

    /// <summary>Keeps a site found at CURSOR, with the identity-switch path it is on (`path`).</summary>
    private void AddSite(Cursor cursor, PlatformSite site)
    {
        _functionHasSite = true;
        _sites.Add(PathOf(cursor) is { } path ? site with { Properties = site.Properties.SetItem("path", path) } : site);
    }

    /// <summary>A switch on the CPU's identity: its body's offsets, how it reads, its cases in source order.</summary>
    private sealed record IdentitySwitch(int Start, int End, string Text, List<(int Start, int End, string Label)> Cases);

    /// <summary>
    /// The path a site at CURSOR is on when it lies in a case of an identity switch of this function (the innermost):
    /// `case CPUFAMILY_INTEL_PENRYN of switch (cpuid_cpufamily()) at line 167`. A case holds the statements from its label
    /// to the next; labels written one after the other (`case A: case B: {…}`, a case nested in the one before) share a path.
    /// </summary>
    private string? PathOf(Cursor cursor)
    {
        if (_switches.Count == 0)
        {
            return null;
        }
        var offset = cursor.Extent.Start.Expansion.Offset;
        for (var s = _switches.Count - 1; s >= 0; s--)
        {
            var identity = _switches[s];
            if (offset < identity.Start || offset >= identity.End)
            {
                continue;
            }
            var index = identity.Cases.FindLastIndex(c => c.Start <= offset);
            if (index < 0)
            {
                return null;
            }
            var first = index;
            while (first > 0 && identity.Cases[first - 1].End >= identity.Cases[first].Start)
            {
                first--;
            }
            var labels = identity.Cases.GetRange(first, index - first + 1).Select(c => c.Label).ToList();
            return (labels is ["default"] ? "the default path" : "the path of case " + string.Join(", ", labels))
                + " of " + identity.Text;
        }
        return null;
    }

    // ------------------------------------------------------------------ a read's value into a division

    /// <summary>
    /// Where OFFSET runs, as one number: the start of its innermost block, or of the last case label before it in that
    /// block (a switch's cases without braces share the block but not the path); -1 when none.
    /// </summary>
    private int BlockAt(int offset)
    {
        ResolveBlocks();
        var block = InnermostBlock(offset);
        for (var i = _caseLabels.Count - 1; i >= 0; i--)
        {
            if (_caseLabels[i].Block == block && _caseLabels[i].Offset <= offset)
            {
                return _caseLabels[i].Offset;
            }
        }
        return block;
    }

    /// <summary>
    /// The offsets of the blocks and labels the walk has met since the last call. A block met later in the walk starts
    /// after a label met earlier, so it never holds it: a label's block is the same whenever it is resolved.
    /// </summary>
    private void ResolveBlocks()
    {
        for (var i = _blocks.Count; i < _blockCursors.Count; i++)
        {
            var extent = _blockCursors[i].Extent;
            _blocks.Add((extent.Start.Expansion.Offset, extent.End.Expansion.Offset));
        }
        for (var i = _caseLabels.Count; i < _labelCursors.Count; i++)
        {
            var label = _labelCursors[i].Extent.Start.Expansion.Offset;
            _caseLabels.Add((label, InnermostBlock(label)));
        }
    }

    /// <summary>The innermost block of the current function holding OFFSET, as its start; -1 when none.</summary>
    private int InnermostBlock(int offset)
    {
        for (var i = _blocks.Count - 1; i >= 0; i--)
        {
            if (_blocks[i].Start <= offset && offset < _blocks[i].End)
            {
                return _blocks[i].Start;
            }
        }
        return -1;
    }

    /// <summary>
    /// VARIABLE = VALUE at STATEMENT: the variable holds a read's value when VALUE uses a variable that holds one set in
    /// the same block (`ratio = bitfield(msr, 15, 8)` right after `msr = rdmsr64(…)`; not a value set on one branch of a
    /// nested test), or, in a function with a site, reads a structure field (`M = leaf->denominator`). Any value set in
    /// a block replaces what the variable got in that block.
    /// </summary>
    private void Follow(string variable, Cursor value, Cursor statement)
    {
        if (_origins.Count == 0 && !_functionHasSite)
        {
            return;
        }
        var block = BlockAt(statement.Extent.Start.Expansion.Offset);
        var origins = OriginsIn(value, statement);
        if (origins.Count == 0 && _functionHasSite && Unwrap(value) is { Kind: CXCursorKind.CXCursor_MemberRefExpr } field && !field.Referenced.IsNull)
        {
            origins.Add(new ValueOrigin(null, 0, 0, field.Referenced.Usr, block));
        }
        SetOrigins(variable, origins, block);
    }

    /// <summary>VARIABLE set in BLOCK: what it got in that block before is replaced by ORIGINS (none: it no longer holds a read's value there).</summary>
    private void SetOrigins(string variable, List<ValueOrigin> origins, int block)
    {
        if (!_origins.TryGetValue(variable, out var held))
        {
            if (origins.Count == 0)
            {
                return;
            }
            _origins[variable] = held = new List<ValueOrigin>();
        }
        held.RemoveAll(o => o.Block == block);
        held.AddRange(origins.Select(o => o with { Block = block }));
        if (held.Count == 0)
        {
            _origins.Remove(variable);
        }
    }

    /// <summary>The origins of the variables VALUE uses that hold a read's value set in STATEMENT's block, or a field's.</summary>
    private List<ValueOrigin> OriginsIn(Cursor value, Cursor statement)
    {
        var found = new List<ValueOrigin>();
        if (_origins.Count == 0)
        {
            return found;
        }
        var uses = new OriginScan(_origins, found);
        uses.Visit(value, Cursor.Null);
        value.VisitChildren(uses);
        if (found.Count > 0)
        {
            var block = BlockAt(statement.Extent.Start.Expansion.Offset);
            found.RemoveAll(o => o.Field is null && o.Block != block);
        }
        return found;
    }

    private sealed class OriginScan(Dictionary<string, List<ValueOrigin>> origins, List<ValueOrigin> found) : ICursorVisitor
    {
        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            if (cursor.Kind == CXCursorKind.CXCursor_DeclRefExpr && origins.TryGetValue(cursor.Spelling, out var held))
            {
                found.AddRange(held);
            }
            return ChildVisit.Recurse;
        }
    }

    /// <summary>`x / v`, `x % v`, `x /= v` with V a variable holding a read's value (or a read field): kept for the read's consequence.</summary>
    private void OnDivision(Cursor division, AstScope scope)
    {
        var operands = division.Children();
        if (operands.Count != 2 || Unwrap(operands[1]) is not { Kind: CXCursorKind.CXCursor_DeclRefExpr } divisor
            || !_origins.TryGetValue(divisor.Spelling, out var held) || At(division, scope) is not { } at)
        {
            return;
        }
        var text = Clip(Text(scope.TranslationUnit.Tokenize(division.Extent)), 80);
        var path = PathOf(division);
        foreach (var origin in held.Distinct())
        {
            _divisions.Add(new DivisionByRead(at.File, scope.Function, at.Line, text, divisor.Spelling)
            {
                ReadFile = origin.ReadFile,
                ReadLine = origin.ReadLine,
                ReadColumn = origin.ReadColumn,
                Field = origin.Field,
                Path = path,
            });
        }
    }

    /// <summary>A condition that tests a variable for zero (`v == 0`, `v != 0`, `!v`, `v` alone, `v > 0`) guards every later division by it.</summary>
    private void ForgetTestedForZero(List<Token> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var name = tokens[i].Text;
            if (tokens[i].Kind != TokenKind.Identifier || !_origins.ContainsKey(name))
            {
                continue;
            }
            var before = i > 0 ? tokens[i - 1].Text : null;
            var after = i + 1 < tokens.Count ? tokens[i + 1].Text : null;
            var tested = tokens.Count == 1
                || before == "!"
                || (after is "==" or "!=" or ">" && IsNothing(tokens, i + 2))
                || (before is "==" or "!=" && IsNothing(tokens, i - 2));
            if (tested)
            {
                _origins.Remove(name);
            }
        }
    }

    private void OnAssignment(Cursor assignment, AstScope scope)
    {
        var children = assignment.Children();
        if (children.Count == 2 && _origins.Count > 0 && Unwrap(children[0]) is { Kind: CXCursorKind.CXCursor_MemberRefExpr } field)
        {
            // info_p->cpuid_tsc_leaf.denominator = reg[eax]: whoever divides by the field divides by the read.
            foreach (var read in OriginsIn(children[1], assignment).Where(o => o.ReadFile is not null).Distinct())
            {
                _fieldStores.Add(new FieldFromRead(field.Referenced.Usr, read.ReadFile!, read.ReadLine, read.ReadColumn));
            }
        }
        if (children.Count != 2 || children[0].Kind != CXCursorKind.CXCursor_DeclRefExpr)
        {
            return;
        }
        var variable = children[0].Spelling;
        Follow(variable, children[1], assignment);
        if (_stored.Contains(variable) && !IsCallRule(children[1]) && At(assignment, scope) is { } at)
        {
            // if (busFreq == 0) busFreq = DEFAULT; … if (busFreq == 0) panic(…): the panic is no longer the read's consequence.
            _assignments.Add(new VariableAssignment(at.File, scope.Function, variable, at.Line));
        }
        Remember(variable, children[1], scope);
    }

    private bool IsCallRule(Cursor value) =>
        Unwrap(value) is var inner && inner.Kind == CXCursorKind.CXCursor_CallExpr && NameOf(inner.Referenced) is { } callee && _rules.Calls.ContainsKey(callee);

    /// <summary>A local given a reader's value is a reader; one given a call rule's result waits for its gate.</summary>
    private void Remember(string variable, Cursor value, AstScope scope)
    {
        var inner = Unwrap(value);
        if (inner.Kind == CXCursorKind.CXCursor_CallExpr && NameOf(inner.Referenced) is { } callee)
        {
            if (_rules.Calls.ContainsKey(callee))
            {
                var at = scope.Macros.WrittenAt(inner.Extent.Start);
                _pendingAssignment = (at.Line, at.Column, variable);
            }
            else if (_rules.ConditionFunctions.ContainsKey(callee))
            {
                _tainted[variable] = callee + "()";
            }
            return;
        }
        if (inner.Kind == CXCursorKind.CXCursor_MemberRefExpr)
        {
            var field = inner.Spelling;
            if (_rules.ConditionFields.ContainsKey(field))
            {
                _tainted[variable] = field;
            }
        }
    }

    private static Cursor Unwrap(Cursor expression)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            if (expression.Kind is not (CXCursorKind.CXCursor_UnexposedExpr or CXCursorKind.CXCursor_ParenExpr or CXCursorKind.CXCursor_CStyleCastExpr))
            {
                break;
            }
            var children = expression.Children();
            if (children.Count == 0)
            {
                break;
            }
            expression = children[^1];
        }
        return expression;
    }

    // ------------------------------------------------------------------ calls and references

    private void OnCall(Cursor call, AstScope scope)
    {
        var name = NameOf(call.Referenced);
        if (name is null || !_rules.Calls.TryGetValue(name, out var rules))
        {
            if (_origins.Count > 0)
            {
                // Another call given the variable (an out-argument) may set it: it no longer holds the read's value.
                ForEachVariableArgument(call, variable => _origins.Remove(variable));
            }
            return;
        }
        foreach (var rule in rules)
        {
            var values = ImmutableArray.CreateBuilder<string>();
            if (!rule.Leaves.IsEmpty)
            {
                if (call.ArgumentCount == 0 || call.Argument(0).EvaluateInteger() is not { } leaf || !rule.Leaves.Any(r => r.Contains(leaf)))
                {
                    continue;
                }
                values.Add("0x" + leaf.ToString("x", CultureInfo.InvariantCulture));
            }
            string? refused = null;
            if (!rule.Reads.IsEmpty || !rule.FaultingReads.IsEmpty)
            {
                var register = FirstArgument(scope.TranslationUnit.Tokenize(call.Extent));
                if (!rule.Reads.Contains(register) && !rule.FaultingReads.Contains(register))
                {
                    continue;
                }
                values.Add(register);
                if (rule.FaultingReads.Contains(register) && !rule.CatchingFunctions.Contains(name))
                {
                    // rdmsr64(MSR_CORE_THREAD_COUNT): Xen (4.15 on) answers an MSR it does not offer with #GP, and a #GP in
                    // the kernel outside a recovery window panics before anything tests the value.
                    var number = call.ArgumentCount > 0 && call.Argument(0).EvaluateInteger() is { } msr
                        ? " (0x" + msr.ToString("x", CultureInfo.InvariantCulture) + ")" : "";
                    refused = $"{PlatformDetector.GeneralProtection}: Xen does not offer {register}{number} to a guest and answers its read with #GP "
                        + "(msr_relaxed=1 in the domain configuration makes it read 0)";
                }
            }
            for (var i = 0; i < call.ArgumentCount; i++)
            {
                if (call.Argument(i).EvaluateString() is { Length: > 0 } text)
                {
                    values.Add(Quote(text));
                }
            }
            if (At(call, scope) is not { } site)
            {
                return;
            }
            var assigned = _pendingAssignment is { } pending && pending.Line == site.Line && pending.Column == site.Column ? pending.Variable : null;
            if (assigned is not null)
            {
                _stored.Add(assigned);
                _pendingAssignment = null;
            }
            // The value the read gives: the variable it is stored in, and a variable given as an argument (cpuid_fn(0x15, reg)).
            var block = BlockAt(call.Extent.Start.Expansion.Offset);
            List<ValueOrigin> origin = [new ValueOrigin(site.File, site.Line, site.Column, null, block)];
            ForEachVariableArgument(call, variable => SetOrigins(variable, origin, block));
            if (assigned is not null)
            {
                SetOrigins(assigned, origin, block);
                if (_lastRead.TryGetValue(assigned, out var earlier) && earlier.Block == block)
                {
                    // err = lookup(…); … err = get_property(…); if (err …): the test is the second read's. A read into the
                    // variable on another path (another case of a switch) does not end the first one's.
                    _sites[earlier.Index] = _sites[earlier.Index] with { ReadAgainLine = site.Line };
                }
                _lastRead[assigned] = (_sites.Count, block);
            }
            AddSite(call, new PlatformSite(rule.Rule.Id, site.File, site.Line, site.Column, scope.Function,
                Clip(Text(scope.TranslationUnit.Tokenize(call.Extent))), values.ToImmutable(), refused)
            {
                AssignedTo = assigned,
                Properties = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("function", name)]),
            });
            return;
        }
    }

    private static void ForEachVariableArgument(Cursor call, Action<string> action)
    {
        for (var i = 0; i < call.ArgumentCount; i++)
        {
            if (Unwrap(call.Argument(i)) is { Kind: CXCursorKind.CXCursor_DeclRefExpr } argument && argument.Referenced.Kind == CXCursorKind.CXCursor_VarDecl)
            {
                action(argument.Spelling);
            }
        }
    }

    /// <summary>The first argument of a call as written (the call's own tokens: an argument's extent may lie in a macro).</summary>
    private static string FirstArgument(List<Token> tokens)
    {
        var open = tokens.FindIndex(t => t.Text == "(");
        if (open < 0)
        {
            return string.Empty;
        }
        var depth = 0;
        var end = open + 1;
        for (; end < tokens.Count; end++)
        {
            var text = tokens[end].Text;
            if (text is "(" or "[")
            {
                depth++;
            }
            else if (text is ")" or "]")
            {
                if (depth-- == 0)
                {
                    break;
                }
            }
            else if (text == "," && depth == 0)
            {
                break;
            }
        }
        return Text(tokens.GetRange(open + 1, end - open - 1));
    }

    private void OnReference(Cursor reference, AstScope scope)
    {
        var declaration = reference.Referenced;
        if (declaration.Kind is not (CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_VarDecl))
        {
            return;
        }
        var name = NameOf(declaration);
        if (name is null || !_rules.References.TryGetValue(name, out var rules) || At(reference, scope) is not { } site)
        {
            return;
        }
        AddSite(reference, new PlatformSite(rules[0].Rule.Id, site.File, site.Line, site.Column, scope.Function, name, [], null)
        {
            Properties = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("name", name)]),
        });
    }

    // ------------------------------------------------------------------ text

    private static (string File, int Line, int Column)? At(Cursor cursor, AstScope scope)
    {
        var start = scope.Macros.WrittenAt(cursor.Extent.Start);
        return scope.RelativePath(start.File) is { } file ? (file, start.Line, start.Column) : null;
    }

    /// <summary>Constants a condition compares with, as written: upper-case names that are not called, and number literals.</summary>
    private static IEnumerable<string> Constants(List<Token> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var called = i + 1 < tokens.Count && tokens[i + 1].Text == "(";
            if (token.Kind == TokenKind.Identifier && !called && IsConstantName(token.Text))
            {
                yield return token.Text;
            }
            else if (token.Kind == TokenKind.Literal && token.Text.Length > 0 && char.IsAsciiDigit(token.Text[0]))
            {
                yield return token.Text;
            }
        }
    }

    private static bool IsConstantName(string name) =>
        name.Length > 1 && !NotValues.Contains(name) && name.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')
        && char.IsAsciiLetterUpper(name[0]);

    internal static string Text(List<Token> tokens)
    {
        var text = new StringBuilder();
        Token? previous = null;
        foreach (var token in tokens)
        {
            if (token.Kind == TokenKind.Comment)
            {
                continue;
            }
            if (previous is { } p && NeedsSpace(p.Text, token.Text))
            {
                text.Append(' ');
            }
            text.Append(token.Text);
            previous = token;
        }
        return text.ToString();
    }

    private static bool NeedsSpace(string before, string after) =>
        !(before is "(" or "[" or "!" or "~" or "." or "->" || after is ")" or "]" or "," or "(" or "[" or "." or "->" or ";")
        || (after == "(" && before is "&&" or "||" or "==" or "!=" or "&" or "|" or "=" or "<" or ">" or "<=" or ">=" or "+" or "-" or "/" or "%" or "?" or ":");

    internal static string Quote(string text) => "\"" + text.Replace("\0", "\\0", StringComparison.Ordinal) + "\"";

    private static string Clip(string text, int max = MaxDetail) => text.Length <= max ? text : text[..(max - 1)] + "…";

    public IUnitFacts? Complete() =>
        _sites.Count == 0 && _gates.Count == 0 && _divisions.Count == 0 ? null : new PlatformFacts([.. _sites], [.. _gates])
        {
            Assignments = [.. _assignments],
            Divisions = [.. _divisions],
            FieldStores = [.. _fieldStores],
            EarlyReturns = [.. _earlyReturns.Where(r => _sites.Any(s => s.File == r.File && s.Function == r.Function))],
        };
}
