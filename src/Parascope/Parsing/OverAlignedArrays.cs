using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Parascope.Clang;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>
/// Since clang 16, an array whose element type is aligned beyond its size is an error ("size of array element of type
/// 'T' (aka 'char') (1 bytes) isn't a multiple of its alignment (8 bytes)"); the Apple clang 14 that built xnu-8019 and
/// -8792 accepted it, laying the elements out at their size in an array aligned as the type (llvm-project#53414).
/// Those trees' bsd/sys/uio_internal.h declares `typedef char __attribute__((aligned(_Alignof(union iovecs))))
/// uio_stackbuf_t` and eleven units declare `uio_stackbuf_t uio_buf[UIO_SIZEOF(1)]`. Each diagnosed declaration of
/// the unit's own file, `T name[`, is rewritten in memory as `__attribute__((aligned(A))) U name[` (U the type T
/// stands for, A its alignment, both from the diagnostic): the layout the old compiler gave, and the unit parsed again.
/// </summary>
public static partial class OverAlignedArrays
{
    /// <summary>
    /// UNIT parsed again with its over-aligned array declarations rewritten, when ERRORS (of a first parse) name some in
    /// its own file; null otherwise. OVERLAYS are the other in-memory files of the scan.
    /// </summary>
    public static (TranslationUnit Unit, ImmutableArray<ParseDiagnostic> Errors)? Reparse(ClangIndex index, SourceUnit unit,
        ImmutableSortedDictionary<string, string> overlays, ImmutableArray<ParseDiagnostic> errors)
    {
        var path = unit.Path;
        var sites = errors.Where(e => e.File == path).Select(Site).OfType<ArraySite>().ToList();
        if (unit.Language is not (SourceLanguage.C or SourceLanguage.Cxx) || sites.Count == 0)
        {
            return null;
        }
        return InMemoryRepair.Reparse(index, unit, overlays, text => Rewrite(text, sites));
    }

    /// <summary>A diagnosed array declaration: the '[' at (Line, Column), its element type's name, what it stands for, its alignment.</summary>
    public readonly record struct ArraySite(int Line, int Column, string Type, string Underlying, int Alignment);

    /// <summary>The site ERROR names, or null when it is not clang's over-aligned array error on a typedef'd simple type.</summary>
    public static ArraySite? Site(ParseDiagnostic error) =>
        Diagnostic().Match(error.Message) is { Success: true } m && SimpleType().IsMatch(m.Groups["aka"].Value)
            ? new ArraySite(error.Line, error.Column, m.Groups["type"].Value, m.Groups["aka"].Value, int.Parse(m.Groups["align"].Value))
            : null;

    /// <summary>TEXT with the declarations at SITES rewritten; null when none could be.</summary>
    public static string? Rewrite(string text, IEnumerable<ArraySite> sites)
    {
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }
        var result = new StringBuilder(text);
        var rewritten = 0;
        var ordered = sites
            .Where(s => s.Line >= 1 && s.Line <= lineStarts.Count && s.Column >= 1)
            .Select(s => (Offset: lineStarts[s.Line - 1] + s.Column - 1, Site: s))
            .DistinctBy(s => s.Offset)
            .OrderByDescending(s => s.Offset);
        foreach (var (open, site) in ordered)
        {
            if (open >= text.Length || text[open] != '[')
            {
                continue;
            }
            // Back over the declared name to the element type's name: `T name[`.
            var i = SkipSpacesBack(text, open);
            var nameEnd = i;
            while (i > 0 && IsIdentifier(text[i - 1]))
            {
                i--;
            }
            if (i == nameEnd)
            {
                continue;
            }
            var typeEnd = SkipSpacesBack(text, i);
            var typeStart = typeEnd - site.Type.Length;
            if (typeStart < 0 || typeEnd == i || string.CompareOrdinal(text, typeStart, site.Type, 0, site.Type.Length) != 0
                || (typeStart > 0 && IsIdentifier(text[typeStart - 1])))
            {
                continue;
            }
            result.Remove(typeStart, typeEnd - typeStart).Insert(typeStart, $"__attribute__((aligned({site.Alignment}))) {site.Underlying}");
            rewritten++;
        }
        return rewritten == 0 ? null : result.ToString();
    }

    [GeneratedRegex(@"^size of array element of type '(?<type>[A-Za-z_][A-Za-z0-9_]*)' \(aka '(?<aka>[^']+)'\) \(\d+ bytes\) isn't a multiple of its alignment \((?<align>\d+) bytes\)$")]
    private static partial Regex Diagnostic();

    /// <summary>A type that can be written before a declarator as is: `char`, `unsigned long`, `struct x *`.</summary>
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_ ]*\**$")]
    private static partial Regex SimpleType();

    private static bool IsIdentifier(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static int SkipSpacesBack(string text, int i)
    {
        while (i > 0 && text[i - 1] is ' ' or '\t')
        {
            i--;
        }
        return i;
    }
}
