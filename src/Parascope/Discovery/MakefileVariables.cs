using System.Text;

namespace Parascope.Discovery;

/// <summary>
/// The flag variables of one of XNU's makefiles (makedefs/MakeInc.def, a subsystem's conf/Makefile.template),
/// read without running make: every `NAME = …`, `NAME += …`, `export NAME = …` line with its backslash
/// continuations, all branches of conditionals taken. Only literal flags matter to us (-D, -I, -include), so
/// values that still hold `$(…)` after substitution of known variables are dropped by the callers.
/// </summary>
public sealed class MakefileVariables
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);

    public static MakefileVariables Read(string path)
    {
        var result = new MakefileVariables();
        if (!File.Exists(path))
        {
            return result;
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return result;
        }
        var logical = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = raw;
            var hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }
            if (line.EndsWith('\\'))
            {
                logical.Append(line[..^1]).Append(' ');
                continue;
            }
            logical.Append(line);
            result.Add(logical.ToString());
            logical.Clear();
        }
        result.Add(logical.ToString());
        return result;
    }

    private void Add(string line)
    {
        var text = line.Trim();
        if (text.StartsWith("export ", StringComparison.Ordinal))
        {
            text = text["export ".Length..].TrimStart();
        }
        var equals = text.IndexOf('=');
        if (equals <= 0)
        {
            return;
        }
        var append = text[equals - 1] == '+';
        var name = text[..(append || text[equals - 1] is ':' or '?' ? equals - 1 : equals)].Trim();
        if (name.Length == 0 || name.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch == '_')))
        {
            return;
        }
        var words = text[(equals + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (!values.TryGetValue(name, out var list))
        {
            values[name] = list = [];
        }
        list.AddRange(words);
    }

    /// <summary>All words ever assigned to NAME, in order (every conditional branch included).</summary>
    public IReadOnlyList<string> Words(string name) => values.TryGetValue(name, out var list) ? list : [];

    /// <summary>
    /// The -D, -U, -include/-imacros FILE and -I DIR flags of NAME, with $(SOURCE)/$(SRCROOT) replaced; anything
    /// still naming a make variable is dropped (it names the build's object folders, not the source tree).
    /// </summary>
    public List<string> LiteralFlags(string name, IReadOnlyDictionary<string, string> substitutions)
    {
        var words = Words(name);
        var flags = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var word = Substitute(words[i], substitutions);
            if (word is "-include" or "-imacros")
            {
                if (i + 1 < words.Count && !words[i + 1].Contains('$'))
                {
                    flags.Add(word);
                    flags.Add(words[++i]);
                }
                continue;
            }
            if (word.Contains('$'))
            {
                continue;
            }
            if (word.StartsWith("-D", StringComparison.Ordinal) || word.StartsWith("-U", StringComparison.Ordinal)
                || (word.StartsWith("-I", StringComparison.Ordinal) && word.Length > 2))
            {
                flags.Add(word);
            }
        }
        return flags;
    }

    private static string Substitute(string word, IReadOnlyDictionary<string, string> substitutions)
    {
        foreach (var (key, value) in substitutions)
        {
            word = word.Replace("$(" + key + ")", value, StringComparison.Ordinal);
        }
        return word;
    }
}
