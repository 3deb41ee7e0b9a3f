using System.Collections.Concurrent;
using Parascope.Parsing;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// The lexical asm scan of each C/C++ file under the root, made once per scan and shared by every unit that reads
/// the file (a header's asm is scanned once, then attributed per unit by which of its lines the unit compiled).
/// </summary>
internal sealed class CSourceScans(IReadOnlySet<string> builtinNames)
{
    private readonly ConcurrentDictionary<string, CSourceScanner.Result> _byFile = new(StringComparer.Ordinal);
    // What a scan depends on besides the text: the builtin names it looks for (SharedScans' key).
    private readonly string _names = "instructions\u0001" + string.Join('\u0001', builtinNames.Order(StringComparer.Ordinal));

    /// <summary>Every file scanned so far, by root-relative path.</summary>
    public IReadOnlyDictionary<string, CSourceScanner.Result> All => _byFile;

    /// <summary>The scan of RELATIVE, read through the scope's texts; a file of the other arch family's folders has none.</summary>
    public CSourceScanner.Result Get(UnitScope scope, string relative) => Get(scope.Texts, scope.Root, relative);

    /// <summary>
    /// The scan of RELATIVE under ROOT, read through TEXTS (also for a file no unit read: kept by the scan's lexical store
    /// like the others, so a re-scan neither reads nor scans the unread files that did not change).
    /// </summary>
    public CSourceScanner.Result Get(SourceTexts texts, string root, string relative) =>
        // Looked up first: the scan of a file is asked for by every unit that reads it (~330,000 times in a re-scan of
        // xnu-11417), and the making below allocates its closure whenever it is entered.
        _byFile.TryGetValue(relative, out var scan) ? scan : Made(texts, root, relative);

    private CSourceScanner.Result Made(SourceTexts texts, string root, string relative) =>
        _byFile.GetOrAdd(relative, path => SharedScans<CSourceScanner.Result>.Get(texts, _names, path, (Root: root, Texts: texts, BuiltinNames: builtinNames),
            static (file, s) =>
            {
                if (FamilyHints.IsForeignPath(file))
                {
                    return CSourceScanner.Empty;
                }
                var text = s.Texts.Get(Path.Combine(s.Root, file));
                return text is null ? CSourceScanner.Empty : CSourceScanner.Scan(text.Text, s.BuiltinNames);
            }));
}
