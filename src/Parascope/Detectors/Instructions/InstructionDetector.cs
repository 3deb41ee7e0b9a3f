using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Rules;
using static Parascope.Detectors.Instructions.InstructionFindings;
using static Parascope.Detectors.Instructions.LexicalSites;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// Privileged and virtualization-sensitive instructions (rules/x86.yaml, rules/arm64.yaml) wherever they are
/// written: inline asm and asm macros in C/C++ (read lexically once per file, attributed per unit: active unless
/// the unit's preprocessor skipped the line), .s/.S files, raw-byte encodings, and builtin calls resolved
/// through the AST (rules/builtins.yaml). Every kind of site goes through <see cref="InstructionClassifier"/>.
/// </summary>
public sealed class InstructionDetector : IDetector
{
    private readonly InstructionClassifier _classifier;
    private readonly CSourceScans _scans;

    public string Name => "instructions";

    /// <summary>Builds the classifier once, for every unit of the scan.</summary>
    public InstructionDetector(RuleSet rules)
    {
        _classifier = new InstructionClassifier(rules);
        _scans = new CSourceScans(_classifier.BuiltinNames);
    }

    public IUnitCollector CreateCollector(UnitScope scope) => new InstructionCollector(_scans, scope, _classifier);

    /// <summary>The collector scans every file a C unit read at the unit's end; a cached C unit's files are scanned here.</summary>
    public void Restore(ParsedUnit unit, UnitScope scope)
    {
        if (unit.Unit.Language == SourceLanguage.Assembly)
        {
            return;
        }
        foreach (var file in unit.IncludedFiles)
        {
            _scans.Get(scope, file);
        }
    }

    /// <summary>Names of the macros a .s file defines itself whose bodies hold sites.</summary>
    internal static HashSet<string> LocalMacros(IEnumerable<AsmStatement> sites) =>
        sites.Select(s => s.Macro).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>A statement that invokes one of the file's own instruction macros (`STI` for `#define STI sti`).</summary>
    internal static bool IsLocalUse(HashSet<string> macros, AsmStatement statement) =>
        macros.Count > 0 && AssemblerHeaders.FirstWord(statement.Text) is { Length: > 0 } word && word != statement.Macro && macros.Contains(word);

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
            foreach (var scan in _scans.All.OrderBy(pair => pair.Key, StringComparer.Ordinal))
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
            if (!facts.AssemblyScanned)
            {
                continue;
            }
            seen.Add(unit.Unit.RelativePath);
            foreach (var include in facts.AssemblyIncludes)
            {
                if (!assemblyIncludes.TryGetValue(include, out var arches))
                {
                    assemblyIncludes[include] = arches = new HashSet<string>(StringComparer.Ordinal);
                }
                arches.Add(unit.Unit.Arch);
            }
        }
        var definitions = new MacroDefinitions(classifier);
        var headers = AssemblerHeaders.Read(context, classifier, assemblyIncludes);
        // A header's asm statements are used by every unit that reads the header (proc_reg.h's by a thousand units of
        // xnu-11417), and their class depends on the statement (a file's scan is one per scan), whether the unit
        // compiled it and the unit's family only: classified once each (a fifth of a .c edit's detection before).
        var classified = new Dictionary<(string File, int Statement, bool Active, InstructionFamily Family), InstructionMatch?>();
        // And a statement outside any macro gives every unit of an arch that compiled it alike the same finding: made once
        // (three findings, a sorted dictionary and the folded text for each unit's view before; the merge counts views).
        var views = new Dictionary<(string File, int Statement, bool Active, InstructionFamily Family, string Arch), Finding>();
        // A C statement's finding as a unit of ARCH sees it: compiled (ACTIVE), or not, under its condition.
        Finding Viewed(InstructionMatch match, string file, AsmStatement statement, string? function, bool active, string arch) =>
            Build(context, match, file, statement, function, active, arch) with { Condition = active ? null : statement.Condition };
        foreach (var (unit, facts) in context.FactsOf<InstructionFacts>())
        {
            var arch = unit.Unit.Arch;
            var unitFamily = FamilyHints.OfArch(arch);
            var expansions = new ExpansionSites(facts.Expansions, spans);
            foreach (var expansion in facts.Expansions.Where(e => !e.Arguments.IsEmpty))
            {
                var scan = _scans.All.TryGetValue(expansion.MacroFile, out var found) ? found : CSourceScanner.Empty;
                foreach (var statement in scan.Statements.Where(st => st.Macro == expansion.Macro && !st.MacroParameters.IsEmpty))
                {
                    var family = FamilyHints.OfPath(expansion.File) ?? FamilyHints.OfPath(expansion.MacroFile) ?? unitFamily;
                    definitions.Use(expansion.MacroFile, statement, family, new SiteReference(expansion.File, expansion.Line, spans.At(expansion.File, expansion.Line)),
                        expansion.Arguments, arch);
                }
            }
            foreach (var use in facts.FileUses)
            {
                var scan = _scans.All.TryGetValue(use.File, out var found) ? found : CSourceScanner.Empty;
                for (var i = 0; i < scan.Statements.Length; i++)
                {
                    var statement = scan.Statements[i];
                    var active = use.Active[i];
                    if (!classified.TryGetValue((use.File, i, active, unitFamily), out var match))
                    {
                        classified[(use.File, i, active, unitFamily)] = match = ClassifyC(classifier, statement, use.File, active, unitFamily);
                    }
                    if (statement.Macro is not null && !statement.MacroParameters.IsEmpty)
                    {
                        // A parametric macro is reported once, at its definition, with its expansions (below).
                        definitions.Definition(use.File, statement, FamilyHints.OfPath(use.File) ?? unitFamily, match, active, arch);
                        continue;
                    }
                    if (match is null)
                    {
                        continue;
                    }
                    if (statement.Macro is null)
                    {
                        if (!views.TryGetValue((use.File, i, active, unitFamily, arch), out var view))
                        {
                            views[(use.File, i, active, unitFamily, arch)] = view =
                                Viewed(match, use.File, statement, spans.At(use.File, statement.Line) ?? statement.Function, active, arch);
                        }
                        sink.Add(view);
                        continue;
                    }
                    // A macro's statement: no function (its uses have theirs), and the unit's own expansions of it.
                    var finding = Viewed(match, use.File, statement, null, active, arch);
                    if (expansions.Of(use.File, statement.Macro) is { } sites)
                    {
                        finding = finding with { Expansions = sites };
                    }
                    sink.Add(finding);
                }
            }
            var localMacros = LocalMacros(facts.AssemblySites.Select(s => s.Statement));
            foreach (var site in facts.AssemblySites)
            {
                if (headers.IsUse(site.File, site.Statement) || IsLocalUse(localMacros, site.Statement))
                {
                    continue; // a macro's use (`PUSHF`, idt64.s's own `#define STI sti`): its definition is the site
                }
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
                var scan = _scans.All.TryGetValue(use.File, out var found) ? found : CSourceScanner.Empty;
                for (var i = 0; i < scan.Calls.Length; i++)
                {
                    if (scan.Calls[i].IsAsmMacro)
                    {
                        if (!astExpansions.Contains((use.File, scan.Calls[i].Line)))
                        {
                            var call = scan.Calls[i];
                            LexicalMacroUse(definitions, use.File, scan, call with { Function = spans.At(use.File, call.Line) ?? call.Function }, use.CallsActive[i], arch, unitFamily);
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
                var finding = context.FindingOf(rule, call.File, call.Line, call.Column, SourceContext.Builtin, call.Detail) with
                {
                    Function = call.Function,
                    Arches = [arch],
                    Properties = properties.ToImmutable(),
                    Walks = context.WalkOf(unit, call.File, call.Function),
                };
                sink.Add(call.Origin is { } origin ? finding.AtMacroDefinition(origin, call.Detail) : finding);
            }
        }
        var read = new HashSet<string>(context.Units.Where(u => u.Unit.Language != SourceLanguage.Assembly).SelectMany(u => u.IncludedFiles), StringComparer.Ordinal);
        read.UnionWith(seen);
        if (!context.CompiledSitesOnly)
        {
            UnreadFiles.Detect(context, classifier, _scans, read, stringMacros, definitions, headers, sink);
        }
        headers.Detect(context, definitions, sink);
        definitions.Emit(context, sink);
    }

    /// <summary>
    /// A unit's expansions of each macro (by the macro's file and name) as the sites a finding at the macro lists, in the
    /// unit's order: grouped when a finding first asks, and each macro's sites made when asked. A unit expands thousands
    /// of macros and a few have a finding; grouping and locating all of them in every unit was a fifth of the instruction
    /// detector's time in a `.c` edit's re-scan of xnu-11417.
    /// </summary>
    private sealed class ExpansionSites(ImmutableArray<MacroUse> expansions, FunctionSpans spans)
    {
        private Dictionary<(string MacroFile, string Macro), List<int>>? _byMacro;
        private readonly Dictionary<(string MacroFile, string Macro), ImmutableArray<SiteReference>> _sites = [];

        /// <summary>The sites where the unit expands MACRO of MACROFILE; null when it expands it nowhere.</summary>
        public ImmutableArray<SiteReference>? Of(string macroFile, string macro)
        {
            if (_sites.TryGetValue((macroFile, macro), out var made))
            {
                return made;
            }
            if (_byMacro is null)
            {
                _byMacro = [];
                for (var i = 0; i < expansions.Length; i++)
                {
                    var key = (expansions[i].MacroFile, expansions[i].Macro);
                    if (!_byMacro.TryGetValue(key, out var indexes))
                    {
                        _byMacro[key] = indexes = [];
                    }
                    indexes.Add(i);
                }
            }
            if (!_byMacro.TryGetValue((macroFile, macro), out var at))
            {
                return null;
            }
            var sites = at.Select(i => new SiteReference(expansions[i].File, expansions[i].Line, spans.At(expansions[i].File, expansions[i].Line)))
                .ToImmutableArray();
            _sites[(macroFile, macro)] = sites;
            return sites;
        }
    }
}
