using Parascope.Discovery;
using Parascope.Model;
using static Parascope.Detectors.Instructions.InstructionFindings;
using static Parascope.Detectors.Instructions.LexicalSites;

namespace Parascope.Detectors.Instructions;

internal static class UnreadFiles
{
    /// <summary>
    /// Source files under the root that no unit read (headers nobody includes, arm64 files in an x86 scan, files
    /// the build leaves out): scanned lexically and reported inactive, so nothing is silently missed.
    /// </summary>
    public static void Detect(DetectionContext context, InstructionClassifier classifier, CSourceScans scans, HashSet<string> read, Lazy<Dictionary<string, string>> stringMacros,
        MacroDefinitions definitions, AssemblerHeaders headers, FindingSink sink)
    {
        var scanArches = context.Units.Select(u => u.Unit.Arch).Distinct(StringComparer.Ordinal).ToList();
        var defaultFamily = FamilyHints.OfArch(scanArches.FirstOrDefault() ?? Architecture.Default.Name);
        var unread = new List<(string Relative, string Path, bool Assembly)>();
        foreach (var relative in context.Files.RelativePaths)
        {
            var path = context.Files.AbsolutePath(relative);
            var extension = Path.GetExtension(path);
            var assembly = extension is ".s" or ".S";
            if ((assembly || extension is ".h" or ".hpp" or ".c" or ".cpp" or ".cc" or ".cxx" or ".inc") && !read.Contains(relative) && !FamilyHints.IsForeignPath(relative))
            {
                unread.Add((relative, path, assembly));
            }
        }
        // The C files' lexical scans first, on --jobs threads (each file's alone; most of this sweep's time); the findings
        // below are made in the files' order, as before.
        Parallel.ForEach(unread.Where(f => !f.Assembly), new ParallelOptions { MaxDegreeOfParallelism = context.Jobs },
            file => scans.Get(context.Texts, context.Root, file.Relative));
        foreach (var (relative, path, assembly) in unread)
        {
            if (assembly)
            {
                var text = context.Texts.Get(path);
                if (text is null)
                {
                    continue;
                }
                var family = FamilyHints.OfPath(relative) ?? defaultFamily;
                var defines = Architecture.Of(family).PredefinedMacros;
                var matches = AssemblyMatches(text.Text, relative, family, defines, classifier).ToList();
                var localMacros = InstructionDetector.LocalMacros(matches.Select(m => m.Statement));
                foreach (var (statement, match, _) in matches)
                {
                    if (!headers.IsUse(relative, statement) && !InstructionDetector.IsLocalUse(localMacros, statement))
                    {
                        sink.Add(Unread(Build(context, match, relative, statement, statement.Function, false, null), statement));
                    }
                }
                continue;
            }
            // An unreadable file's scan is empty: nothing below.
            var scan = scans.Get(context.Texts, context.Root, relative);
            foreach (var call in scan.Calls)
            {
                if (call.IsAsmMacro)
                {
                    LexicalMacroUse(definitions, relative, scan, call, false, null, defaultFamily);
                    continue;
                }
                if (LexicalBuiltin(context, classifier, stringMacros.Value, relative, call, false, null) is { } lexical)
                {
                    sink.Add(lexical with { Units = 0, Properties = lexical.Properties.Add("reason", "not-compiled") });
                }
            }
            foreach (var statement in scan.Statements)
            {
                if (statement.Macro is not null && !statement.MacroParameters.IsEmpty)
                {
                    definitions.Definition(relative, statement, FamilyHints.OfPath(relative) ?? defaultFamily,
                        ClassifyC(classifier, statement, relative, false, defaultFamily), false, null, units: 0, notCompiled: true);
                    continue;
                }
                if (ClassifyC(classifier, statement, relative, false, defaultFamily) is { } match)
                {
                    sink.Add(Unread(Build(context, match, relative, statement, statement.Function, false, null), statement));
                }
            }
        }
    }
}
