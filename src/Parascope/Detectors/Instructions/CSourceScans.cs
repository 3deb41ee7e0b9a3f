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
    public CSourceScanner.Result Get(UnitScope scope, string relative) =>
        _byFile.GetOrAdd(relative, path => SharedScans<CSourceScanner.Result>.Get(scope.Texts, _names, path, (scope.Root, scope.Texts, BuiltinNames: builtinNames),
            static (file, s) =>
            {
                if (FamilyHints.IsForeignPath(file))
                {
                    return CSourceScanner.Empty;
                }
                var text = s.Texts.Get(Path.Combine(s.Root, file));
                return text is null ? CSourceScanner.Empty : CSourceScanner.Scan(text.Text, s.BuiltinNames);
            }));

    /// <summary>The scan of a file no unit read, from its text.</summary>
    public CSourceScanner.Result GetOrScan(string relative, string text) =>
        _byFile.GetOrAdd(relative, static (_, s) => CSourceScanner.Scan(s.Text, s.BuiltinNames), (Text: text, BuiltinNames: builtinNames));
}
