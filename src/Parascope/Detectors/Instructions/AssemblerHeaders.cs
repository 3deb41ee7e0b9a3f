using System.Collections.Immutable;
using Parascope.Discovery;
using Parascope.Model;
using static Parascope.Detectors.Instructions.InstructionFindings;
using static Parascope.Detectors.Instructions.LexicalSites;

namespace Parascope.Detectors.Instructions;

internal static class AssemblerHeaders
{
    /// <summary>
    /// Headers carry assembly too: `#ifdef __ASSEMBLER__` (or ASSEMBLER) parts hold .macro and #define bodies
    /// that .s files include. C units never compile those parts, so they are read here as assembly: active when
    /// some assembled .s file includes the header (matched by the path it names), inactive otherwise.
    /// </summary>
    public static void Detect(DetectionContext context, InstructionClassifier classifier,
        Dictionary<string, HashSet<string>> includes, FindingSink sink)
    {
        var defaultArch = context.Units.Select(u => u.Unit.Arch).FirstOrDefault() ?? Architecture.Default.Name;
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
            var defines = Conditionals.Predefined(includers.FirstOrDefault() ?? Architecture.Of(family).Name)
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
}
