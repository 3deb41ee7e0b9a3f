using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Parascope.Discovery;
using Parascope.Parsing;

namespace Parascope.Detectors.DriverApi;

/// <summary>A class declaration or metaclass macro found in the tree's text, not in a parsed AST.</summary>
internal sealed record LexicalClass(string Name, string Superclass, string File, int Line);

/// <summary>The classes one file declares, in the order <see cref="LexicalClasses"/> finds them.</summary>
internal sealed record LexicalClassScan(ImmutableArray<LexicalClass> Classes)
{
    public static readonly LexicalClassScan None = new(ImmutableArray<LexicalClass>.Empty);
}

/// <summary>
/// IOService subclasses the ASTs cannot show: declared in code the configuration does not compile
/// (`#if DEVELOPMENT`), in headers no unit includes, or in files no unit parses. Every C/C++ source and header of
/// the tree is read as text (comments and preprocessor lines blanked) for `class X : public Y` and
/// `OSDefineMetaClass…(X, Y)`; the inventory adds the classes the ASTs did not define, marked lexical.
/// </summary>
internal static partial class LexicalClasses
{
    private static readonly string[] Extensions = [".h", ".hpp", ".cpp", ".cc", ".cxx", ".c", ".iig"];

    /// <summary>The key of these scans among a scan's shared lexical scans (they read no rules: the patterns are below).</summary>
    private const string ScanName = "driver-classes";

    public static List<LexicalClass> Scan(FileInventory files, SourceTexts texts)
    {
        var found = new List<LexicalClass>();
        foreach (var (path, relative) in files.WithExtensions(Extensions))
        {
            // Shared, so that a re-scan takes back the classes of every file it did not change (the lexical scan store):
            // on xnu-11417 this scan reads ~6,000 files, half a second of a `.c` edit's re-scan.
            found.AddRange(SharedScans<LexicalClassScan>.Get(texts, ScanName, relative, (Texts: texts, Path: path),
                static (file, s) => ScanFile(s.Texts, s.Path, file)).Classes);
        }
        return found;
    }

    /// <summary>The classes declared in the file at PATH (RELATIVE to the root).</summary>
    private static LexicalClassScan ScanFile(SourceTexts texts, string path, string relative)
    {
        var source = texts.Get(path);
        if (source is null || !(source.Text.Contains("class", StringComparison.Ordinal) || source.Text.Contains("OSDefineMetaClass", StringComparison.Ordinal)))
        {
            return LexicalClassScan.None;
        }
        var found = ImmutableArray.CreateBuilder<LexicalClass>();
        // Blank comments and preprocessor lines, keeping offsets, so #define bodies and prose declare nothing.
        var text = Blanked(source.Text);
        foreach (var pattern in (Regex[])[Declaration(), MetaClass()])
        {
            foreach (Match match in pattern.Matches(text))
            {
                found.Add(new LexicalClass(match.Groups["name"].Value, match.Groups["base"].Value, relative, source.LineOf(match.Index)));
            }
        }
        return found.Count == 0 ? LexicalClassScan.None : new LexicalClassScan(found.ToImmutable());
    }

    /// <summary>TEXT with every comment and preprocessor line made spaces, newlines kept (so offsets and lines stay).</summary>
    internal static string Blanked(string text)
    {
        // In one copy of the text: a string per comment and a replaced text per file were most of this scan's time.
        char[]? chars = null;
        foreach (var match in Blank().EnumerateMatches(text))
        {
            chars ??= text.ToCharArray();
            for (var i = match.Index; i < match.Index + match.Length; i++)
            {
                if (chars[i] != '\n')
                {
                    chars[i] = ' ';
                }
            }
        }
        return chars is null ? text : new string(chars);
    }

    [GeneratedRegex(@"/\*.*?\*/|//[^\n]*|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Blank();

    [GeneratedRegex(@"\bclass\s+(?:\w+\s+)*?(?<name>[A-Za-z_]\w*)\s*(?:final\s*)?:\s*(?:public|protected|private)?\s*(?:virtual\s+)?(?<base>[A-Za-z_]\w*)\s*[{,]")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\bOSDefineMetaClass\w*\s*\(\s*(?<name>[A-Za-z_]\w*)\s*,\s*(?<base>[A-Za-z_]\w*)")]
    private static partial Regex MetaClass();
}
