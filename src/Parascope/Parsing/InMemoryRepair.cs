using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Discovery;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>
/// The step every repair of a unit's own text shares (lvalue casts, over-aligned arrays): read the unit as libclang
/// would (the scan's overlay, else the file, never opening what is not a regular file), rewrite it in memory, and parse
/// the unit again with the rewritten text as an unsaved file.
/// </summary>
internal static class InMemoryRepair
{
    /// <summary>UNIT parsed again with its text passed through REWRITE; null when the text cannot be read, nothing was rewritten or the parse failed.</summary>
    public static (TranslationUnit Unit, ImmutableArray<ParseDiagnostic> Errors)? Reparse(ClangIndex index, SourceUnit unit,
        ImmutableSortedDictionary<string, string> overlays, Func<string, string?> rewrite)
    {
        var path = unit.Path;
        string text;
        try
        {
            text = overlays.TryGetValue(path, out var overlay) ? overlay : RegularFiles.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (rewrite(text) is not { } rewritten)
        {
            return null;
        }
        // libclang copies unsaved contents into the translation unit, so they may be freed once it is parsed.
        using var unsaved = new UnsavedFiles(overlays.SetItem(path, rewritten));
        var repaired = TranslationUnit.TryParse(index, path, unit.Arguments, out _, unsaved: unsaved);
        return repaired is null
            ? null
            : (repaired, repaired.Diagnostics().Where(d => d.Level >= DiagnosticLevel.Error).ToImmutableArray());
    }
}
