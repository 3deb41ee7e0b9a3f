using System.Text.RegularExpressions;
using Parascope.Discovery;
using Parascope.Parsing;

namespace Parascope.Detectors.DriverApi;

/// <summary>A class declaration or metaclass macro found in the tree's text, not in a parsed AST.</summary>
internal sealed record LexicalClass(string Name, string Superclass, string File, int Line);

/// <summary>
/// IOService subclasses the ASTs cannot show: declared in code the configuration does not compile
/// (`#if DEVELOPMENT`), in headers no unit includes, or in files no unit parses. Every C/C++ source and header of
/// the tree is read as text (comments and preprocessor lines blanked) for `class X : public Y` and
/// `OSDefineMetaClass…(X, Y)`; the inventory adds the classes the ASTs did not define, marked lexical.
/// </summary>
internal static partial class LexicalClasses
{
    private static readonly string[] Extensions = [".h", ".hpp", ".cpp", ".cc", ".cxx", ".c", ".iig"];

    public static List<LexicalClass> Scan(FileInventory files, SourceTexts texts)
    {
        var found = new List<LexicalClass>();
        foreach (var (path, relative) in files.WithExtensions(Extensions))
        {
            var source = texts.Get(path);
            if (source is null || !(source.Text.Contains("class", StringComparison.Ordinal) || source.Text.Contains("OSDefineMetaClass", StringComparison.Ordinal)))
            {
                continue;
            }
            // Blank comments and preprocessor lines, keeping offsets, so #define bodies and prose declare nothing.
            var text = Blank().Replace(source.Text, m => new string(m.Value.Select(c => c == '\n' ? '\n' : ' ').ToArray()));
            foreach (Match match in Declaration().Matches(text))
            {
                found.Add(new LexicalClass(match.Groups["name"].Value, match.Groups["base"].Value, relative, source.LineOf(match.Index)));
            }
            foreach (Match match in MetaClass().Matches(text))
            {
                found.Add(new LexicalClass(match.Groups["name"].Value, match.Groups["base"].Value, relative, source.LineOf(match.Index)));
            }
        }
        return found;
    }

    [GeneratedRegex(@"/\*.*?\*/|//[^\n]*|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Blank();

    [GeneratedRegex(@"\bclass\s+(?:\w+\s+)*?(?<name>[A-Za-z_]\w*)\s*(?:final\s*)?:\s*(?:public|protected|private)?\s*(?:virtual\s+)?(?<base>[A-Za-z_]\w*)\s*[{,]")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\bOSDefineMetaClass\w*\s*\(\s*(?<name>[A-Za-z_]\w*)\s*,\s*(?<base>[A-Za-z_]\w*)")]
    private static partial Regex MetaClass();
}
