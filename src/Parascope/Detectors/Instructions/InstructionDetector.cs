using System.Collections.Concurrent;
using System.Collections.Immutable;
using Parascope.Discovery;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Rules;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// Privileged and virtualization-sensitive instructions (rules/x86.yaml, rules/arm64.yaml) wherever they are
/// written: inline asm and asm macros in C/C++ (read lexically once per file, attributed per unit: active unless
/// the unit's preprocessor skipped the line), .s/.S files, raw-byte encodings, and builtin calls resolved
/// through the AST (rules/builtins.yaml). Every kind of site goes through <see cref="InstructionClassifier"/>.
/// </summary>
public sealed class InstructionDetector : IDetector
{
    private readonly ConcurrentDictionary<string, CSourceScanner.Result> _fileScans = new(StringComparer.Ordinal);
    private readonly InstructionClassifier _classifier;

    public string Name => "instructions";

    /// <summary>Builds the classifier once, for every unit of the scan.</summary>
    public InstructionDetector(RuleSet rules) => _classifier = new InstructionClassifier(rules);

    public IUnitCollector CreateCollector(UnitScope scope) => new Collector(this, scope, _classifier);

    /// <summary>The lexical asm scan of a C/C++ file under the root, done once per scan.</summary>
    internal CSourceScanner.Result ScanFile(UnitScope scope, string relative, InstructionClassifier classifier) =>
        _fileScans.GetOrAdd(relative, static (path, s) =>
        {
            if (FamilyHints.IsForeignPath(path))
            {
                return CSourceScanner.Empty;
            }
            var text = s.Texts.Get(Path.Combine(s.Root, path));
            return text is null ? CSourceScanner.Empty : CSourceScanner.Scan(text.Text, s.BuiltinNames);
        }, (scope.Root, scope.Texts, BuiltinNames: (IReadOnlySet<string>)classifier.BuiltinNames));

    public void Detect(DetectionContext context, FindingSink sink)
    {
        var classifier = _classifier;
        var spans = FunctionSpans.From(context.Units);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var assemblyIncludes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        // A call the AST gave in any unit is the AST's (header bodies are walked by one unit per arch only).
        var astCalls = context.FactsOf<InstructionFacts>().SelectMany(pair => pair.Facts.BuiltinCalls).Select(c => (c.File, c.Line)).ToHashSet();
        var astExpansions = context.FactsOf<InstructionFacts>().SelectMany(pair => pair.Facts.Expansions).Where(e => !e.Arguments.IsEmpty).Select(e => (e.File, e.Line)).ToHashSet();
        var stringMacros = new Lazy<Dictionary<string, string>>(() =>
        {
            var table = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var scan in _fileScans.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                foreach (var (name, value) in scan.Value.StringMacros)
                {
                    table.TryAdd(name, value);
                }
            }
            return table;
        });
        foreach (var (unit, facts) in context.FactsOf<InstructionFacts>())
        {
            var arch = unit.Unit.Arch;
            var unitFamily = FamilyHints.OfArch(arch);
            if (facts.AssemblyScanned)
            {
                seen.Add(unit.Unit.RelativePath);
                foreach (var include in facts.AssemblyIncludes)
                {
                    if (!assemblyIncludes.TryGetValue(include, out var arches))
                    {
                        assemblyIncludes[include] = arches = new HashSet<string>(StringComparer.Ordinal);
                    }
                    arches.Add(arch);
                }
            }
            var expansions = facts.Expansions
                .GroupBy(e => (e.MacroFile, e.Macro))
                .ToDictionary(g => g.Key, g => g.Select(e => new SiteReference(e.File, e.Line, spans.At(e.File, e.Line))).ToImmutableArray());
            foreach (var expansion in facts.Expansions.Where(e => !e.Arguments.IsEmpty))
            {
                var scan = _fileScans.TryGetValue(expansion.MacroFile, out var found) ? found : CSourceScanner.Empty;
                foreach (var statement in scan.Statements.Where(st => st.Macro == expansion.Macro && !st.MacroParameters.IsEmpty))
                {
                    var text = Substitute(statement.Text, statement.MacroParameters, expansion.Arguments);
                    var family = FamilyHints.OfPath(expansion.File) ?? FamilyHints.OfPath(expansion.MacroFile) ?? unitFamily;
                    if (classifier.Classify(text, family) is not { } match)
                    {
                        continue;
                    }
                    var site = statement with { Line = expansion.Line, Column = expansion.Column, Text = text };
                    var finding = Build(context, match, expansion.File, site, spans.At(expansion.File, expansion.Line), true, arch);
                    sink.Add(finding with { Properties = finding.Properties.Add("definition", $"{expansion.MacroFile}:{statement.Line}") });
                }
            }
            foreach (var use in facts.FileUses)
            {
                var scan = _fileScans.TryGetValue(use.File, out var found) ? found : CSourceScanner.Empty;
                for (var i = 0; i < scan.Statements.Length; i++)
                {
                    var statement = scan.Statements[i];
                    var active = use.Active[i];
                    var match = ClassifyC(classifier, statement, use.File, active, unitFamily);
                    if (match is null)
                    {
                        continue;
                    }
                    var function = statement.Macro is null ? spans.At(use.File, statement.Line) ?? statement.Function : null;
                    var finding = Build(context, match, use.File, statement, function, active, arch) with
                    {
                        Condition = active ? null : statement.Condition,
                    };
                    if (statement.Macro is not null && expansions.TryGetValue((use.File, statement.Macro), out var sites))
                    {
                        finding = finding with { Expansions = sites };
                    }
                    sink.Add(finding);
                }
            }
            foreach (var site in facts.AssemblySites)
            {
                var rule = context.Rules[site.RuleId];
                var match = new InstructionMatch(rule, site.Mnemonic, site.Register);
                var finding = Build(context, match, site.File, site.Statement, site.Statement.Function, site.Statement.Active, arch) with
                {
                    Condition = site.Statement.Condition,
                };
                if (site.Encoding is not null)
                {
                    finding = finding with { Properties = finding.Properties.Add("encoding", site.Encoding) };
                }
                sink.Add(finding);
            }
            foreach (var use in facts.FileUses)
            {
                var scan = _fileScans.TryGetValue(use.File, out var found) ? found : CSourceScanner.Empty;
                for (var i = 0; i < scan.Calls.Length; i++)
                {
                    if (scan.Calls[i].IsAsmMacro)
                    {
                        if (!astExpansions.Contains((use.File, scan.Calls[i].Line)))
                        {
                            foreach (var macroUse in LexicalMacroUse(context, classifier, use.File, scan, scan.Calls[i], use.CallsActive[i], arch, unitFamily))
                            {
                                sink.Add(macroUse with { Function = spans.At(use.File, macroUse.Line) ?? macroUse.Function });
                            }
                        }
                        continue;
                    }
                    if (!astCalls.Contains((use.File, scan.Calls[i].Line)) && LexicalBuiltin(context, classifier, stringMacros.Value, use.File, scan.Calls[i], use.CallsActive[i], arch) is { } lexical)
                    {
                        sink.Add(lexical with { Function = spans.At(use.File, lexical.Line) ?? lexical.Function });
                    }
                }
            }
            foreach (var call in facts.BuiltinCalls)
            {
                var rule = context.Rules[call.RuleId];
                var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
                properties["builtin"] = call.Builtin;
                properties["builtin-rule"] = call.BuiltinRuleId;
                properties["mnemonic"] = call.Mnemonic;
                if (call.Register is not null)
                {
                    properties["register"] = call.Register;
                }
                if (call.Macro is not null)
                {
                    properties["macro"] = call.Macro;
                }
                sink.Add(context.FindingOf(rule, call.File, call.Line, call.Column, SourceContext.Builtin, call.Detail) with
                {
                    Function = call.Function,
                    Arches = [arch],
                    Properties = properties.ToImmutable(),
                });
            }
        }
        var read = new HashSet<string>(context.Units.Where(u => u.Unit.Language != SourceLanguage.Assembly).SelectMany(u => u.IncludedFiles), StringComparer.Ordinal);
        read.UnionWith(seen);
        DetectUnread(context, classifier, read, stringMacros, sink);
        DetectAssemblerHeaders(context, classifier, assemblyIncludes, sink);
    }

    /// <summary>
    /// Headers carry assembly too: `#ifdef __ASSEMBLER__` (or ASSEMBLER) parts hold .macro and #define bodies
    /// that .s files include. C units never compile those parts, so they are read here as assembly: active when
    /// some assembled .s file includes the header (matched by the path it names), inactive otherwise.
    /// </summary>
    private static void DetectAssemblerHeaders(DetectionContext context, InstructionClassifier classifier,
        Dictionary<string, HashSet<string>> includes, FindingSink sink)
    {
        var defaultArch = context.Units.Select(u => u.Unit.Arch).FirstOrDefault() ?? "x86_64";
        var headers = context.Files.WithExtensions(".h")
            .Where(h => !FamilyHints.IsForeignPath(h.Relative))
            .ToList();
        // Headers reach assembly through other headers too: follow #include from the .s files' includes.
        var assembled = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var queue = new Queue<(string Include, HashSet<string> Arches)>(includes.Select(pair => (pair.Key, pair.Value)));
        while (queue.Count > 0)
        {
            var (include, arches) = queue.Dequeue();
            foreach (var header in headers.Where(h => h.Relative == include || h.Relative.EndsWith("/" + include, StringComparison.Ordinal)))
            {
                if (!assembled.TryGetValue(header.Relative, out var known))
                {
                    assembled[header.Relative] = known = new HashSet<string>(StringComparer.Ordinal);
                }
                var before = known.Count;
                known.UnionWith(arches);
                if (known.Count == before && before > 0 || context.Texts.Get(header.Path) is not { } headerText)
                {
                    continue;
                }
                foreach (var next in AssemblySourceScanner.Includes(headerText.Text))
                {
                    queue.Enqueue((next, known));
                }
            }
        }
        foreach (var (path, relative) in headers)
        {
            if (context.Texts.Get(path) is not { } text || !text.Text.Contains("ASSEMBLER", StringComparison.Ordinal))
            {
                continue;
            }
            var includers = assembled.TryGetValue(relative, out var reached)
                ? reached.Order(StringComparer.Ordinal).ToImmutableArray()
                : ImmutableArray<string>.Empty;
            var family = FamilyHints.OfPath(relative) ?? FamilyHints.OfArch(includers.FirstOrDefault() ?? defaultArch);
            var defines = Conditionals.Predefined(includers.FirstOrDefault() ?? (family == InstructionFamily.Arm64 ? "arm64" : "x86_64"))
                .SetItem("__ASSEMBLER__", "1").SetItem("ASSEMBLER", "1");
            foreach (var (statement, match, _) in AssemblyMatches(text.Text, relative, family, defines, classifier))
            {
                if (!FamilyHints.Requires(statement.Conditions, "ASSEMBLER", "__ASSEMBLER__"))
                {
                    continue;
                }
                var active = statement.Active && !includers.IsEmpty;
                var finding = Build(context, match, relative, statement, statement.Function, active, null) with
                {
                    Arches = active ? includers : [],
                    Units = 0,
                    Condition = statement.Condition,
                };
                sink.Add(finding);
            }
        }
    }

    /// <summary>An invocation of a parametric asm macro the AST did not give (skipped branch, failed parse), resolved lexically.</summary>
    private static IEnumerable<Finding> LexicalMacroUse(DetectionContext context, InstructionClassifier classifier, string file,
        CSourceScanner.Result scan, CSourceScanner.LexicalCall call, bool active, string? arch, InstructionFamily unitFamily)
    {
        foreach (var statement in scan.Statements.Where(st => st.Macro == call.Name && !st.MacroParameters.IsEmpty))
        {
            var arguments = call.Arguments.Select(a => string.Join(' ', SplitLiterals(a))).ToImmutableArray();
            var text = Substitute(statement.Text, statement.MacroParameters, arguments);
            var family = active ? FamilyHints.OfPath(file) ?? unitFamily : FamilyHints.OfConditions(call.Conditions) ?? FamilyHints.OfPath(file) ?? unitFamily;
            if (classifier.Classify(text, family) is not { } match)
            {
                continue;
            }
            var site = statement with { Line = call.Line, Column = call.Column, Text = text };
            var finding = Build(context, match, file, site, call.Function, active, arch);
            yield return finding with
            {
                Condition = active ? null : call.Condition,
                Properties = finding.Properties.Add("definition", $"{file}:{statement.Line}").Add("resolution", "lexical"),
            };
        }
    }

    /// <summary>`"a" "b"` → the two literals, other text as one piece (what the token-based path gives).</summary>
    private static IEnumerable<string> SplitLiterals(string argument)
    {
        var matches = System.Text.RegularExpressions.Regex.Matches(argument, "\"(?:\\\\.|[^\"\\\\])*\"");
        if (matches.Count > 0 && System.Text.RegularExpressions.Regex.Replace(argument, "\"(?:\\\\.|[^\"\\\\])*\"", string.Empty).Trim().Length == 0)
        {
            return matches.Select(m => m.Value);
        }
        return [argument];
    }

    /// <summary>
    /// A builtin call the AST did not give (its branch was skipped, or the parse failed before it): named
    /// lexically, its register taken from a string literal or a `#define NAME "…"` of the tree. Marked
    /// resolution=lexical, so a reader knows the AST did not confirm it.
    /// </summary>
    private static Finding? LexicalBuiltin(DetectionContext context, InstructionClassifier classifier, Dictionary<string, string> stringMacros,
        string file, CSourceScanner.LexicalCall call, bool active, string? arch)
    {
        string? register = null;
        if (classifier.RegisterArgument(call.Name) >= 0)
        {
            var argument = call.FirstArgument;
            register = argument.Length >= 2 && argument[0] == '"' && argument[^1] == '"' ? argument[1..^1]
                : stringMacros.GetValueOrDefault(argument);
            if (register is null)
            {
                return null;
            }
        }
        if (classifier.ClassifyBuiltin(call.Name, register) is not { } emitted)
        {
            return null;
        }
        var rule = emitted.Instruction.Rule;
        var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        properties["builtin"] = call.Name;
        properties["builtin-rule"] = emitted.Builtin.Id;
        properties["mnemonic"] = emitted.Instruction.Mnemonic;
        properties["resolution"] = "lexical";
        if (register is not null)
        {
            properties["register"] = register;
        }
        return context.FindingOf(rule, file, call.Line, call.Column, SourceContext.Builtin,
            register is null ? $"{call.Name}()" : $"{call.Name}(\"{register}\")") with
        {
            Function = call.Function,
            Active = active,
            Arches = arch is null ? [] : [arch],
            Condition = active ? null : call.Condition,
            Properties = properties.ToImmutable(),
        };
    }

    /// <summary>
    /// Source files under the root that no unit read (headers nobody includes, arm64 files in an x86 scan, files
    /// the build leaves out): scanned lexically and reported inactive, so nothing is silently missed.
    /// </summary>
    private void DetectUnread(DetectionContext context, InstructionClassifier classifier, HashSet<string> read, Lazy<Dictionary<string, string>> stringMacros, FindingSink sink)
    {
        var scanArches = context.Units.Select(u => u.Unit.Arch).Distinct(StringComparer.Ordinal).ToList();
        var defaultFamily = FamilyHints.OfArch(scanArches.FirstOrDefault() ?? "x86_64");
        foreach (var relative in context.Files.RelativePaths)
        {
            var path = context.Files.AbsolutePath(relative);
            var extension = Path.GetExtension(path);
            var assembly = extension is ".s" or ".S";
            if (!(assembly || extension is ".h" or ".hpp" or ".c" or ".cpp" or ".cc" or ".cxx" or ".inc"))
            {
                continue;
            }
            if (read.Contains(relative) || FamilyHints.IsForeignPath(relative))
            {
                continue;
            }
            var text = context.Texts.Get(path);
            if (text is null)
            {
                continue;
            }
            if (assembly)
            {
                var family = FamilyHints.OfPath(relative) ?? defaultFamily;
                var defines = Conditionals.Predefined(family == InstructionFamily.Arm64 ? "arm64" : "x86_64");
                foreach (var (statement, match, _) in AssemblyMatches(text.Text, relative, family, defines, classifier))
                {
                    sink.Add(Unread(Build(context, match, relative, statement, statement.Function, false, null), statement));
                }
                continue;
            }
            var scan = _fileScans.GetOrAdd(relative, _ => CSourceScanner.Scan(text.Text, classifier.BuiltinNames));
            foreach (var call in scan.Calls)
            {
                if (call.IsAsmMacro)
                {
                    foreach (var macroUse in LexicalMacroUse(context, classifier, relative, scan, call, false, null, defaultFamily))
                    {
                        sink.Add(macroUse with { Units = 0, Properties = macroUse.Properties.SetItem("reason", "not-compiled") });
                    }
                    continue;
                }
                if (LexicalBuiltin(context, classifier, stringMacros.Value, relative, call, false, null) is { } lexical)
                {
                    sink.Add(lexical with { Units = 0, Properties = lexical.Properties.Add("reason", "not-compiled") });
                }
            }
            foreach (var statement in scan.Statements)
            {
                if (ClassifyC(classifier, statement, relative, false, defaultFamily) is { } match)
                {
                    sink.Add(Unread(Build(context, match, relative, statement, statement.Function, false, null), statement));
                }
            }
        }
    }

    /// <summary>
    /// The counted statements of an assembly file. A file in an arch folder is read in that family. A file with
    /// none (libsyscall wrappers, tests) often holds both families under #if: it is read in both, each statement
    /// kept in the family its condition names, unconditional ones in the unit's family, or in the other family
    /// when the unit's finds nothing on that line.
    /// </summary>
    internal static IEnumerable<(AsmStatement Statement, InstructionMatch Match, string? Encoding)> AssemblyMatches(
        string text, string relativePath, InstructionFamily unitFamily, IReadOnlyDictionary<string, string> defines, InstructionClassifier classifier)
    {
        var pathFamily = FamilyHints.OfPath(relativePath);
        if (pathFamily is { } fixedFamily)
        {
            return Matches(fixedFamily).Select(m => (m.Statement, m.Match, m.Encoding));
        }
        var primary = Matches(unitFamily).ToList();
        var other = unitFamily == InstructionFamily.X86 ? InstructionFamily.Arm64 : InstructionFamily.X86;
        var secondary = Matches(other).ToList();
        var kept = primary.Where(m => (FamilyHints.OfConditions(m.Statement.Conditions) ?? unitFamily) == unitFamily).ToList();
        var lines = kept.Select(m => m.Statement.Line).ToHashSet();
        kept.AddRange(secondary.Where(m => FamilyHints.OfConditions(m.Statement.Conditions) is { } c ? c == other : !lines.Contains(m.Statement.Line)));
        return kept.OrderBy(m => m.Statement.Line).ThenBy(m => m.Statement.Column).Select(m => (m.Statement, m.Match, m.Encoding));

        IEnumerable<(AsmStatement Statement, InstructionMatch Match, string? Encoding)> Matches(InstructionFamily family)
        {
            foreach (var (statement, decoded) in RawRuns.Decode(AssemblySourceScanner.Scan(text, family, defines), classifier, family))
            {
                if (classifier.Classify(decoded ?? statement.Text, family, statement.IntelSyntax) is { } match)
                {
                    yield return (statement, match, decoded is null ? null : statement.Text);
                }
            }
        }
    }

    /// <summary>
    /// Asm text in C: an arch folder decides its family; then, for code the unit skipped, a condition naming an
    /// arch; then the unit's arch. Text with no hint that does not classify in that family is tried in the other
    /// (the mnemonic sets barely overlap and the overlapping ones — str, hlt — are told apart by operand shape).
    /// </summary>
    private static InstructionMatch? ClassifyC(InstructionClassifier classifier, AsmStatement statement, string file, bool active, InstructionFamily unitFamily)
    {
        var path = FamilyHints.OfPath(file);
        var condition = active ? null : FamilyHints.OfConditions(statement.Conditions);
        var family = condition ?? path ?? unitFamily;
        var match = classifier.Classify(statement.Text, family);
        if (match is null && path is null && condition is null)
        {
            match = classifier.Classify(statement.Text, family == InstructionFamily.X86 ? InstructionFamily.Arm64 : InstructionFamily.X86);
        }
        return match;
    }

    private static Finding Unread(Finding finding, AsmStatement statement) => finding with
    {
        Condition = statement.Condition,
        Units = 0,
        Properties = finding.Properties.Add("reason", "not-compiled"),
    };

    private static Finding Build(DetectionContext context, InstructionMatch match, string file, AsmStatement statement, string? function, bool active, string? arch)
    {
        var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        properties["mnemonic"] = match.Mnemonic.ToLowerInvariant();
        if (match.Register is not null)
        {
            properties["register"] = match.Register;
        }
        if (statement.Macro is not null)
        {
            properties["macro"] = statement.Macro;
        }
        return context.FindingOf(match.Rule, file, statement.Line, statement.Column, statement.Context, FoldSpaces(statement.Text)) with
        {
            Function = function,
            Active = active,
            Arches = arch is null ? [] : [arch],
            Properties = properties.ToImmutable(),
        };
    }

    /// <summary>
    /// A macro's asm text with its parameters replaced by one invocation's arguments; an argument made of string
    /// literals gives their contents, since the template's pieces and the argument concatenate.
    /// </summary>
    internal static string Substitute(string text, ImmutableArray<string> parameters, ImmutableArray<string> arguments)
    {
        for (var p = 0; p < parameters.Length && p < arguments.Length; p++)
        {
            var argument = arguments[p].Trim();
            var pieces = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (pieces.Length > 0 && pieces.All(piece => piece.Length >= 2 && piece[0] == '"' && piece[^1] == '"'))
            {
                argument = string.Concat(pieces.Select(piece => piece[1..^1]));
            }
            text = System.Text.RegularExpressions.Regex.Replace(text, $@"(?<![A-Za-z0-9_]){System.Text.RegularExpressions.Regex.Escape(parameters[p])}(?![A-Za-z0-9_])", argument.Replace("$", "$$", StringComparison.Ordinal));
        }
        return text;
    }

    internal static string FoldSpaces(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private sealed class Collector(InstructionDetector detector, UnitScope scope, InstructionClassifier classifier) : IUnitCollector
    {
        private readonly Dictionary<string, (string File, bool Parametric)> _asmMacros = new(StringComparer.Ordinal);
        private readonly List<MacroUse> _expansions = new();
        private readonly List<BuiltinCall> _builtins = new();
        private readonly List<AssemblySite> _assembly = new();
        private readonly List<FileUse> _uses = new();
        private bool _assemblyScanned;
        private readonly List<string> _assemblyIncludes = new();

        public void OnCursor(Cursor cursor, AstScope astScope)
        {
            switch (cursor.Kind)
            {
                case CXCursorKind.CXCursor_MacroDefinition:
                    OnMacroDefinition(cursor, astScope);
                    break;
                case CXCursorKind.CXCursor_MacroExpansion:
                    OnMacroExpansion(cursor, astScope);
                    break;
                case CXCursorKind.CXCursor_CallExpr:
                    OnCall(cursor, astScope);
                    break;
            }
        }

        private void OnMacroDefinition(Cursor cursor, AstScope astScope)
        {
            var file = astScope.RelativePath(cursor.Location.Expansion.File);
            if (file is null)
            {
                return;
            }
            var scan = detector.ScanFile(scope, file, classifier);
            if (scan.AsmMacros.IsEmpty)
            {
                return;
            }
            var name = cursor.Spelling;
            if (scan.AsmMacros.Contains(name))
            {
                _asmMacros[name] = (file, scan.Statements.Any(st => st.Macro == name && !st.MacroParameters.IsEmpty));
            }
        }

        private void OnMacroExpansion(Cursor cursor, AstScope astScope)
        {
            if (_asmMacros.Count == 0 && classifier.BuiltinNames.Count == 0)
            {
                return;
            }
            var name = cursor.Spelling;
            if (_asmMacros.TryGetValue(name, out var macro))
            {
                var at = cursor.Location.Expansion;
                if (astScope.RelativePath(at.File) is { } file)
                {
                    _expansions.Add(new MacroUse(macro.File, name, file, at.Line)
                    {
                        Column = at.Column,
                        Arguments = macro.Parametric ? MacroArguments(astScope.TranslationUnit.Tokenize(cursor.Extent)) : [],
                    });
                }
                return;
            }
            // cpuid.h's __cpuid(level, a, b, c, d) is a macro around inline asm defined outside the tree.
            if (classifier.BuiltinNames.Contains(name) && classifier.ClassifyBuiltin(name, null) is { } emitted)
            {
                var at = cursor.Location.Expansion;
                if (astScope.RelativePath(at.File) is { } file)
                {
                    _builtins.Add(new BuiltinCall(file, at.Line, at.Column, null, name, null, emitted.Instruction.Rule.Id,
                        emitted.Builtin.Id, emitted.Instruction.Mnemonic, name, null));
                }
            }
        }

        private void OnCall(Cursor cursor, AstScope astScope)
        {
            var name = cursor.Spelling;
            if (name.Length < 4 || name[0] != '_' || !classifier.BuiltinNames.Contains(name))
            {
                return;
            }
            var at = cursor.Location.Expansion;
            var file = astScope.RelativePath(at.File);
            if (file is null)
            {
                return;
            }
            string? register = null;
            var argumentIndex = classifier.RegisterArgument(name);
            if (argumentIndex >= 0 && argumentIndex < cursor.ArgumentCount)
            {
                register = RegisterName(cursor.Argument(argumentIndex));
                if (register is null)
                {
                    return; // not a constant string: clang rejects it anyway
                }
            }
            if (classifier.ClassifyBuiltin(name, register) is not { } emitted)
            {
                return;
            }
            var detail = register is null ? $"{name}()" : $"{name}(\"{register}\")";
            _builtins.Add(new BuiltinCall(file, at.Line, at.Column, astScope.Function, name, register, emitted.Instruction.Rule.Id,
                emitted.Builtin.Id, emitted.Instruction.Mnemonic, detail, null));
        }

        /// <summary>
        /// The arguments of a function-like macro invocation as written (`NAME ( a , "b" )` → a, "b"); string
        /// literals side by side are kept apart by a space so the caller can join their contents.
        /// </summary>
        private static ImmutableArray<string> MacroArguments(List<Token> tokens)
        {
            var arguments = ImmutableArray.CreateBuilder<string>();
            var depth = 0;
            var current = new List<string>();
            foreach (var token in tokens.Skip(1))
            {
                if (token.Text == "(" && depth++ == 0)
                {
                    continue;
                }
                if (token.Text == ")" && --depth == 0)
                {
                    arguments.Add(string.Join(' ', current));
                    break;
                }
                if (token.Text == "," && depth == 1)
                {
                    arguments.Add(string.Join(' ', current));
                    current.Clear();
                    continue;
                }
                current.Add(token.Text);
            }
            return arguments.ToImmutable();
        }

        /// <summary>The system register a builtin argument names, from the AST (a literal, a macro, a constant string).</summary>
        private static string? RegisterName(Cursor argument)
        {
            var value = argument.EvaluateString();
            if (value is not null)
            {
                return value;
            }
            foreach (var child in argument.Children())
            {
                if (RegisterName(child) is { } inner)
                {
                    return inner;
                }
            }
            return argument.Kind == CXCursorKind.CXCursor_StringLiteral ? Unquote(argument.Spelling) : null;
        }

        private static string Unquote(string literal) => literal.Length >= 2 && literal[0] == '"' ? literal[1..^1] : literal;

        public void OnAssembly(AssemblyScope assembly)
        {
            var unit = scope.Unit;
            var unitFamily = FamilyHints.OfArch(unit.Arch);
            var pathFamily = FamilyHints.OfPath(unit.RelativePath);
            if (pathFamily is { } family && family != unitFamily || FamilyHints.IsForeignPath(unit.RelativePath))
            {
                return; // an arm64 .s file is not assembled for x86_64, and the reverse
            }
            _assemblyScanned = true;
            _assemblyIncludes.AddRange(AssemblySourceScanner.Includes(assembly.Text.Text));
            var defines = Conditionals.Predefined(unit.Arch).SetItems(assembly.Defines);
            foreach (var (statement, match, encoding) in AssemblyMatches(assembly.Text.Text, unit.RelativePath, unitFamily, defines, classifier))
            {
                _assembly.Add(new AssemblySite(unit.RelativePath, statement, match.Rule.Id, match.Mnemonic, match.Register, encoding));
            }
        }

        public void OnUnitEnd(UnitEndScope end)
        {
            if (scope.Unit.Language == SourceLanguage.Assembly)
            {
                return;
            }
            var inactive = end.InactiveRanges.GroupBy(r => r.File).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            foreach (var file in end.IncludedFiles)
            {
                var scan = detector.ScanFile(scope, file, classifier);
                if (scan.Statements.IsEmpty && scan.Calls.IsEmpty)
                {
                    continue;
                }
                var ranges = inactive.GetValueOrDefault(file) ?? [];
                bool Compiled(int line) => !ranges.Any(r => line >= r.StartLine && line <= r.EndLine);
                _uses.Add(new FileUse(file, scan.Statements.Select(st => Compiled(st.Line)).ToImmutableArray())
                {
                    CallsActive = scan.Calls.Select(call => Compiled(call.Line)).ToImmutableArray(),
                });
            }
        }

        public IUnitFacts? Complete() =>
            _uses.Count == 0 && _assembly.Count == 0 && _builtins.Count == 0 && !_assemblyScanned
                ? null
                : new InstructionFacts(_uses.ToImmutableArray(), _expansions.ToImmutableArray(), _builtins.ToImmutableArray(), _assembly.ToImmutableArray())
                {
                    AssemblyScanned = _assemblyScanned,
                    AssemblyIncludes = _assemblyIncludes.Distinct(StringComparer.Ordinal).ToImmutableArray(),
                };
    }
}

/// <summary>One file a unit read that holds asm text, and which of its asm statements the unit compiled.</summary>
internal sealed record FileUse(string File, ImmutableArray<bool> Active)
{
    /// <summary>For each lexical builtin call of the file: whether the unit compiled its line.</summary>
    public ImmutableArray<bool> CallsActive { get; init; } = [];
}

/// <summary>An expansion of an asm-bearing macro (defined in <see cref="MacroFile"/>) at a site of the unit.</summary>
internal sealed record MacroUse(string MacroFile, string Macro, string File, int Line)
{
    public int Column { get; init; }
    /// <summary>The invocation's arguments, kept only for macros whose asm text uses a parameter.</summary>
    public ImmutableArray<string> Arguments { get; init; } = [];
}

/// <summary>A builtin call that emits a counted instruction, classified in the collector (needs the AST).</summary>
internal sealed record BuiltinCall(string File, int Line, int Column, string? Function, string Builtin, string? Register,
    string RuleId, string BuiltinRuleId, string Mnemonic, string Detail, string? Macro);

/// <summary>A counted instruction in a .s/.S unit (classified with the unit's family while scanning).</summary>
internal sealed record AssemblySite(string File, AsmStatement Statement, string RuleId, string Mnemonic, string? Register, string? Encoding);

internal sealed record InstructionFacts(ImmutableArray<FileUse> FileUses, ImmutableArray<MacroUse> Expansions,
    ImmutableArray<BuiltinCall> BuiltinCalls, ImmutableArray<AssemblySite> AssemblySites) : IUnitFacts
{
    /// <summary>The unit was an assembly file this detector scanned (its family matched the unit's arch).</summary>
    public bool AssemblyScanned { get; init; }

    /// <summary>What the assembly unit #includes, as written (headers' assembler-only parts are assembled through these).</summary>
    public ImmutableArray<string> AssemblyIncludes { get; init; } = [];
}

/// <summary>Function definitions every unit's walk entered, by file: the AST's answer to "which function is line N in".</summary>
internal sealed class FunctionSpans
{
    private readonly Dictionary<string, FunctionSpan[]> _byFile;

    private FunctionSpans(Dictionary<string, FunctionSpan[]> byFile) => _byFile = byFile;

    public static FunctionSpans From(ImmutableArray<ParsedUnit> units) =>
        new(units.SelectMany(u => u.Functions)
            .GroupBy(f => f.File, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Distinct().OrderBy(f => f.StartLine).ToArray(), StringComparer.Ordinal));

    /// <summary>The innermost function whose lines hold <paramref name="line"/>, or null.</summary>
    public string? At(string file, int line)
    {
        if (!_byFile.TryGetValue(file, out var spans))
        {
            return null;
        }
        FunctionSpan? best = null;
        foreach (var span in spans)
        {
            if (span.StartLine > line)
            {
                break;
            }
            if (line <= span.EndLine && (best is null || span.StartLine >= best.StartLine))
            {
                best = span;
            }
        }
        return best?.Name;
    }
}
