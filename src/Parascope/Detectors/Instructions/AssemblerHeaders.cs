using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Parascope.Discovery;
using Parascope.Model;
using static Parascope.Detectors.Instructions.InstructionFindings;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// Headers carry assembly too: `#ifdef __ASSEMBLER__` (or ASSEMBLER) parts, GAS `.macro` bodies, and the #define
/// bodies of headers that assembly includes (`osfmk/i386/asm.h` `#define INB inb %dx, %al`, `pal_lock_asm.h`
/// `#define PUSHF pushf`, headers that `#error` without __ASSEMBLER__). C units never compile those parts, so they
/// are read here as assembly: active when some assembled .s file includes the header (matched by the path it
/// names), inactive otherwise. A macro's instruction is one site, its #define or .macro line; where .s files and
/// other assembler macros use it (`PUSHF`, `SPILL_REGISTERS`, `CMSR FPCR, x5, x4, 1`), the use is an expansion
/// (<see cref="MacroDefinitions"/>), not a site of its own.
/// </summary>
internal sealed partial class AssemblerHeaders
{
    /// <summary>
    /// A header's assembler statements, each with its text as the classifier reads it (raw bytes decoded) and, for a
    /// macro body's statement, whether the classifier takes it for a site by itself: classified once when the headers
    /// are read and kept with them (the classification of every header macro was ~0.2 s of a re-scan of xnu-11417).
    /// </summary>
    internal sealed record Header(string Relative, InstructionFamily Family, ImmutableArray<string> Includers,
        List<HeaderStatement> Statements);

    /// <summary>
    /// A header's statement as <see cref="Header"/> keeps it. An object, not a value tuple: the runtime's reader of a
    /// tuple is generic code compiled at first call in each re-scan that takes the headers back (~10 ms in a trace).
    /// </summary>
    internal sealed record HeaderStatement(AsmStatement Statement, string? Decoded, bool MacroSite);

    /// <summary>What <see cref="ReadHeaders"/> makes of a tree, as a lexical scan store keeps it for the next scan.</summary>
    internal sealed record Scan(List<Header> Headers);

    /// <summary>The name of the headers' reading in a lexical scan store (<see cref="ILexicalScanStore.TryGetWhole"/>).</summary>
    private const string StoreName = "assembler-headers";

    private readonly List<Header> _headers;
    /// <summary>Macro name → the body statements that are sites (or name their operand through a parameter).</summary>
    private readonly Dictionary<string, List<(Header Header, AsmStatement Statement)>> _macros = new(StringComparer.Ordinal);
    private readonly InstructionClassifier _classifier;

    private AssemblerHeaders(InstructionClassifier classifier, List<Header> headers)
    {
        _classifier = classifier;
        _headers = headers;
        var allNames = headers.SelectMany(h => h.Statements).Select(s => s.Statement.Macro).OfType<string>().ToHashSet(StringComparer.Ordinal);
        // A macro is an instruction macro when a body statement is a site by itself (not a use of another macro).
        foreach (var header in headers)
        {
            foreach (var (statement, _, macroSite) in header.Statements)
            {
                if (statement.Macro is null || allNames.Contains(FirstWord(statement.Text)))
                {
                    continue;
                }
                if (!statement.MacroParameters.IsEmpty || macroSite)
                {
                    if (!_macros.TryGetValue(statement.Macro, out var list))
                    {
                        _macros[statement.Macro] = list = new();
                    }
                    list.Add((header, statement));
                }
            }
        }
    }

    [GeneratedRegex(@"#\s*if(?:ndef\s+_*ASSEMBLER_*|\s+!\s*defined\s*\(?\s*_*ASSEMBLER_*\s*\)?)[^\n]*\n(?:\s*(?://|/\*)[^\n]*\n)*\s*#\s*error")]
    private static partial Regex ErrorsWithoutAssembler();

    /// <summary>
    /// What <see cref="Read"/> made of one scan's files (its texts) for a rule set, a default arch and the assembled
    /// units' includes: each configuration group of a scan has a detector of its own, and the groups' includes are
    /// mostly the same (xnu-11417 x86_64: three groups, no assembly among them), so the headers are read once.
    /// </summary>
    private static readonly PerScan<(RuleSet Rules, FileInventory Files, string Key), AssemblerHeaders> Made = new();

    /// <summary>Each .s file of a scan read for uses of the headers' macros, once per family, however many configuration groups detect.</summary>
    private static readonly PerScan<(string Relative, InstructionFamily Family), ImmutableArray<AsmStatement>> AssemblyScans = new();

    /// <summary>
    /// The files <see cref="Read"/> reads of the tree besides what the units read (absolute paths): every header (for
    /// assembler parts and #include walks) and every assembly file (for the includes and the macro uses). What a kept
    /// detection of a configuration group depends on (Caching.ConfigurationGroupStore).
    /// </summary>
    public static IEnumerable<string> FilesRead(FileInventory files) => files.WithExtensions(".h", ".s", ".S").Select(f => f.Path);

    /// <summary>Reads every header assembly reaches or that holds assembler parts; <paramref name="includes"/> are the assembled units' #includes (for active/arches).</summary>
    public static AssemblerHeaders Read(DetectionContext context, InstructionClassifier classifier, Dictionary<string, HashSet<string>> includes)
    {
        var defaultArch = context.Units.Select(u => u.Unit.Arch).FirstOrDefault() ?? Architecture.Default.Name;
        // The classifier is the rule set's (every detector of a scan compiles the same one from it).
        var key = string.Join('\n', includes.OrderBy(i => i.Key, StringComparer.Ordinal)
            .Select(i => i.Key + "\t" + string.Join(',', i.Value.Order(StringComparer.Ordinal))).Prepend(defaultArch));
        return Made.GetOrAdd(context.Texts, (context.Rules, context.Files, key),
            static (key, a) => new AssemblerHeaders(a.classifier, Kept(a.context, a.classifier, a.includes, a.defaultArch, key.Key)),
            (context, classifier, includes, defaultArch));
    }

    /// <summary>
    /// The headers' reading taken back from the scan's lexical scan store when every header and assembly file of the
    /// tree is as it was (a .c edit's re-scan of xnu-11417 read them all again: 0.4 s), else read and kept. It is a
    /// function of those files' texts and names, the assembled units' includes and the default arch (KEY), and the
    /// rules, which the store is kept with.
    /// </summary>
    private static List<Header> Kept(DetectionContext context, InstructionClassifier classifier, Dictionary<string, HashSet<string>> includes,
        string defaultArch, string key)
    {
        var store = LexicalScanStores.Of(context.Texts);
        if (store is null)
        {
            return ReadHeaders(context, classifier, includes, defaultArch);
        }
        List<string> files = [.. FilesRead(context.Files)];
        // The files' names too: the reading finds headers by name, and the store's digest is of their contents only.
        var name = StoreName + "\n" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(key + "\n" + string.Join('\n', files))));
        if (store.TryGetWhole(name, files) is Scan kept)
        {
            return kept.Headers;
        }
        var headers = ReadHeaders(context, classifier, includes, defaultArch);
        store.AddWhole(name, files, new Scan(headers));
        return headers;
    }

    private static List<Header> ReadHeaders(DetectionContext context, InstructionClassifier classifier, Dictionary<string, HashSet<string>> includes,
        string defaultArch)
    {
        var result = new List<Header>();
        var headers = context.Files.WithExtensions(".h")
            .Where(h => !FamilyHints.IsForeignPath(h.Relative))
            .ToList();
        var assembled = Assembled(context, headers, includes);
        var reached = Reached(context, headers);
        foreach (var (path, relative) in headers)
        {
            if (context.Texts.Get(path) is not { } text)
            {
                continue;
            }
            var body = text.Text;
            var gas = body.Contains(".macro", StringComparison.Ordinal);
            var tested = body.Contains("ASSEMBLER", StringComparison.Ordinal);
            // Only headers of an arch folder: reached machine-independent headers (kern/queue.h, os/atomic_private.h)
            // are C whose #define bodies (`({ int _b; … })`) would read as `int` on x86.
            var fromAssembly = reached.Contains(relative) && FamilyHints.OfPath(relative) is not null;
            if (!gas && !tested && !fromAssembly)
            {
                continue;
            }
            var assemblerOnly = tested && ErrorsWithoutAssembler().IsMatch(body);
            // An arch folder's header is compiled only by its own arch: an x86_64 scan that sweeps osfmk/arm64/*.s lexically
            // does not make osfmk/arm64/proc_reg.h's macros active x86_64 code.
            var pathFamily = FamilyHints.OfPath(relative);
            var includers = assembled.TryGetValue(relative, out var reachedBy)
                ? reachedBy.Where(arch => pathFamily is not { } own || FamilyHints.OfArch(arch) == own).Order(StringComparer.Ordinal).ToImmutableArray()
                : ImmutableArray<string>.Empty;
            var family = FamilyHints.OfPath(relative) ?? FamilyHints.OfArch(includers.FirstOrDefault() ?? defaultArch);
            var defines = Conditionals.Predefined(includers.FirstOrDefault() ?? Architecture.Of(family).Name)
                .SetItem("__ASSEMBLER__", "1").SetItem("ASSEMBLER", "1");
            // #define bodies holding C asm statements (`#define __IN(s, u) static … asm volatile ("in" #s …)`) are C.
            var cMacros = fromAssembly && !assemblerOnly ? CSourceScanner.Scan(body).AsmMacros : [];
            var kept = new List<HeaderStatement>();
            foreach (var (statement, decoded) in RawRuns.Decode(AssemblySourceScanner.Scan(body, family, defines), classifier, family))
            {
                var condition = AssemblerCondition(statement.Conditions);
                var assembler = condition ?? (statement.InGasMacro || assemblerOnly || statement.Macro is not null && fromAssembly && !cMacros.Contains(statement.Macro));
                if (assembler)
                {
                    kept.Add(new HeaderStatement(statement, decoded,
                        statement.Macro is not null && classifier.Classify(decoded ?? statement.Text, family, statement.IntelSyntax) is not null));
                }
            }
            if (kept.Count > 0)
            {
                result.Add(new Header(relative, family, includers, kept));
            }
        }
        return result;
    }

    /// <summary>The statement is a use of a header's instruction macro (`PUSHF`, `CMSR FPCR, …`), not an instruction of its own.</summary>
    public bool IsUse(string file, AsmStatement statement) => Definitions(file, statement).Any();

    private IEnumerable<(Header Header, AsmStatement Statement)> Definitions(string file, AsmStatement statement)
    {
        if (_macros.Count == 0 || !_macros.TryGetValue(FirstWord(statement.Text), out var bodies))
        {
            return [];
        }
        var family = FamilyHints.OfPath(file);
        return bodies.Where(b => family is null || b.Header.Family == family);
    }

    /// <summary>
    /// Reports the headers' sites: a macro body's statement once, at its line, with the uses in .s files and in
    /// other header macros as expansions; other assembler lines as they are.
    /// </summary>
    public void Detect(DetectionContext context, MacroDefinitions definitions, FindingSink sink)
    {
        foreach (var header in _headers)
        {
            foreach (var (statement, decoded, _) in header.Statements)
            {
                if (IsUse(header.Relative, statement))
                {
                    Record(definitions, header.Relative, statement);
                    continue;
                }
                if (statement.Macro is not null && _macros.ContainsKey(FirstWord(statement.Text)))
                {
                    continue;
                }
                var match = _classifier.Classify(decoded ?? statement.Text, header.Family, statement.IntelSyntax);
                var active = statement.Active && !header.Includers.IsEmpty;
                if (statement.Macro is not null && (match is not null || !statement.MacroParameters.IsEmpty))
                {
                    definitions.Definition(header.Relative, statement, header.Family, match, active, null, units: 0, arches: active ? header.Includers : []);
                    continue;
                }
                if (match is null)
                {
                    continue;
                }
                var finding = Build(context, match, header.Relative, statement, statement.Function, active, null) with
                {
                    Arches = active ? header.Includers : [],
                    Units = 0,
                    Condition = statement.Condition,
                };
                sink.Add(decoded is null ? finding : finding with { Properties = finding.Properties.Add("encoding", statement.Text) });
            }
        }
        if (_macros.Count == 0)
        {
            return;
        }
        var defaultFamily = FamilyHints.OfArch(context.Units.Select(u => u.Unit.Arch).FirstOrDefault() ?? Architecture.Default.Name);
        foreach (var relative in context.Files.RelativePaths)
        {
            var extension = Path.GetExtension(relative);
            if (extension is not (".s" or ".S") || FamilyHints.IsForeignPath(relative) || context.Texts.Get(context.Files.AbsolutePath(relative)) is not { } text)
            {
                continue;
            }
            var family = FamilyHints.OfPath(relative) ?? defaultFamily;
            foreach (var statement in AssemblyScans.GetOrAdd(context.Texts, (relative, family),
                static (key, body) => [.. AssemblySourceScanner.Scan(body, key.Family, Architecture.Of(key.Family).PredefinedMacros)], text.Text))
            {
                Record(definitions, relative, statement);
            }
        }
    }

    private void Record(MacroDefinitions definitions, string file, AsmStatement use)
    {
        var name = FirstWord(use.Text);
        ImmutableArray<string>? arguments = null;
        foreach (var (header, body) in Definitions(file, use))
        {
            if (header.Relative == file && body.Line == use.Line)
            {
                continue;
            }
            arguments ??= Arguments(use.Text[name.Length..]);
            definitions.Use(header.Relative, body, header.Family, new SiteReference(file, use.Line, use.Macro is null ? use.Function : null), arguments.Value, null);
        }
    }

    /// <summary>`(a, b)` of a #define use, `a, b` or `a b` of a GAS macro use.</summary>
    internal static ImmutableArray<string> Arguments(string rest)
    {
        rest = rest.Trim();
        if (rest.StartsWith('(') && rest.EndsWith(')'))
        {
            rest = rest[1..^1];
        }
        if (rest.Length == 0)
        {
            return [];
        }
        var pieces = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}':
                    depth--;
                    break;
                case ',' when depth == 0:
                    pieces.Add(rest[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }
        pieces.Add(rest[start..].Trim());
        if (pieces.Count == 1)
        {
            return pieces[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
        }
        return pieces.ToImmutableArray();
    }

    /// <summary>True inside an assembler-only test, false inside a C-only one (`#ifndef __ASSEMBLER__`), null outside both.</summary>
    private static bool? AssemblerCondition(ImmutableArray<string> conditions)
    {
        for (var i = conditions.Length - 1; i >= 0; i--)
        {
            if (conditions[i].Contains("ASSEMBLER", StringComparison.Ordinal))
            {
                return FamilyHints.Requires([conditions[i]], "ASSEMBLER", "__ASSEMBLER__");
            }
        }
        return null;
    }

    internal static string FirstWord(string text)
    {
        var trimmed = text.TrimStart();
        var end = 0;
        while (end < trimmed.Length && (char.IsAsciiLetterOrDigit(trimmed[end]) || trimmed[end] == '_'))
        {
            end++;
        }
        return trimmed[..end];
    }

    /// <summary>Headers the assembled units reach through #include (followed through headers), with the arches that assemble them.</summary>
    private static Dictionary<string, HashSet<string>> Assembled(DetectionContext context, List<(string Path, string Relative)> headers, Dictionary<string, HashSet<string>> includes)
    {
        var assembled = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        // A header an include names has the include's file name: look among those, not every header of the tree, for
        // each include the walk queues (it queues thousands on xnu-11417).
        var byName = headers.ToLookup(h => Path.GetFileName(h.Relative), StringComparer.Ordinal);
        var queue = new Queue<(string Include, HashSet<string> Arches)>(includes.Select(pair => (pair.Key, pair.Value)));
        while (queue.Count > 0)
        {
            var (include, arches) = queue.Dequeue();
            foreach (var header in byName[Path.GetFileName(include)]
                .Where(h => h.Relative == include || h.Relative.Length > include.Length && h.Relative.EndsWith(include, StringComparison.Ordinal)
                    && h.Relative[h.Relative.Length - include.Length - 1] == '/'))
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
        return assembled;
    }

    /// <summary>Headers any .s/.S file of the tree reaches through #include, whatever the scan assembles.</summary>
    private static HashSet<string> Reached(DetectionContext context, List<(string Path, string Relative)> headers)
    {
        var bySuffix = headers.ToLookup(h => Path.GetFileName(h.Relative), StringComparer.Ordinal);
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        foreach (var relative in context.Files.RelativePaths)
        {
            if (Path.GetExtension(relative) is ".s" or ".S" && !FamilyHints.IsForeignPath(relative) && context.Texts.Get(context.Files.AbsolutePath(relative)) is { } text)
            {
                foreach (var include in AssemblySourceScanner.Includes(text.Text))
                {
                    queue.Enqueue(include);
                }
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var include = queue.Dequeue();
            if (!seen.Add(include))
            {
                continue;
            }
            foreach (var header in bySuffix[Path.GetFileName(include)])
            {
                if (header.Relative != include && !header.Relative.EndsWith("/" + include, StringComparison.Ordinal) || !reached.Add(header.Relative))
                {
                    continue;
                }
                if (context.Texts.Get(header.Path) is { } headerText)
                {
                    foreach (var next in AssemblySourceScanner.Includes(headerText.Text))
                    {
                        queue.Enqueue(next);
                    }
                }
            }
        }
        return reached;
    }
}
