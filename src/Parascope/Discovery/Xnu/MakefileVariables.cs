using System.Text;
using System.Text.RegularExpressions;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// The flag variables of one of XNU's makefiles (makedefs/MakeInc.def, a subsystem's conf/Makefile.template),
/// read without running make: every `NAME = …`, `NAME += …`, `export NAME = …` line with its backslash
/// continuations. A conditional whose test names only variables this reading knows (`ifeq ($(PLATFORM),MacOSX)`:
/// a scan stands for a Mac) keeps only its true branch; every other conditional has all its branches read. Only
/// literal flags matter to us (-D, -I, -include), so values that still hold `$(…)` after substitution of known
/// variables are dropped by the callers.
/// </summary>
public sealed partial class MakefileVariables
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);
    /// <summary>The value of each variable's last plain assignment (`=`, `:=`, `?=`), for $(NAME) references.</summary>
    private readonly Dictionary<string, string> lastValues = new(StringComparer.Ordinal);
    /// <summary>`define NAME … endef` bodies, by name (their lines as read).</summary>
    private readonly Dictionary<string, List<string>> macros = new(StringComparer.Ordinal);
    /// <summary>`$(foreach file,$(VAR),$(eval $(call MACRO, $(file))))` lines: (VAR, MACRO).</summary>
    private readonly List<(string Variable, string Macro)> foreachCalls = [];
    /// <summary>
    /// A wildcard's matches by folder and pattern: every unit of a subsystem asks for the same one (xnu-11417's
    /// Makefile.template lists one foreach), and listing the folder per unit was a tenth of a re-scan's discovery.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Folder, string Pattern), string[]> wildcardMatches = new();

    /// <summary>The make variables a scan fixes: the platform whose kernel it stands for.</summary>
    public static readonly IReadOnlyDictionary<string, string> Known = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PLATFORM"] = "MacOSX",
    };

    public static MakefileVariables Read(string path)
    {
        var result = new MakefileVariables();
        if (!RegularFiles.Exists(path))
        {
            return result;
        }
        string[] lines;
        try
        {
            lines = RegularFiles.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return result;
        }
        var logical = new StringBuilder();
        var conditionals = new MakeConditionals();
        List<string>? macroBody = null;
        foreach (var raw in lines)
        {
            var trimmed = raw.Trim();
            if (macroBody is not null)
            {
                if (trimmed == "endef")
                {
                    macroBody = null;
                }
                else
                {
                    macroBody.Add(trimmed);
                }
                continue;
            }
            if (trimmed.StartsWith("define ", StringComparison.Ordinal))
            {
                result.macros[trimmed["define ".Length..].Trim()] = macroBody = [];
                continue;
            }
            if (ForeachCall().Match(trimmed) is { Success: true } call)
            {
                result.foreachCalls.Add((call.Groups["var"].Value, call.Groups["macro"].Value));
                continue;
            }
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
            var statement = logical.ToString();
            logical.Clear();
            if (!conditionals.Directive(statement) && conditionals.Active)
            {
                result.Add(statement);
            }
        }
        if (conditionals.Active)
        {
            result.Add(logical.ToString());
        }
        return result;
    }

    /// <summary>
    /// make's ifeq/ifneq/ifdef/ifndef … else [ifeq …] … endif, evaluated where the test is known (see
    /// <see cref="Known"/>): a known-false branch is skipped, and so is every branch after a known-true one. An
    /// unknown test keeps its branch and the ones after it (the reading before this class: all branches).
    /// </summary>
    private sealed partial class MakeConditionals
    {
        /// <summary>Per open conditional: whether its parent is active, whether a branch was known to be taken, whether this branch is read.</summary>
        private readonly Stack<(bool Parent, bool Taken, bool Branch)> open = new();

        public bool Active => open.Count == 0 || open.Peek().Branch;

        /// <summary>Applies LINE if it is a conditional directive; false for any other line.</summary>
        public bool Directive(string line)
        {
            var text = line.Trim();
            var keyword = text.Split([' ', '\t', '('], 2)[0];
            switch (keyword)
            {
                case "ifeq" or "ifneq" or "ifdef" or "ifndef":
                    {
                        var test = Evaluate(keyword, text[keyword.Length..]);
                        open.Push((Active, test == true, Active && test != false));
                        return true;
                    }
                case "else" when open.Count > 0:
                    {
                        var (parent, taken, _) = open.Pop();
                        var rest = text["else".Length..].Trim();
                        var next = rest.Split([' ', '\t', '('], 2)[0];
                        bool? test = rest.Length == 0 ? true : next is "ifeq" or "ifneq" or "ifdef" or "ifndef" ? Evaluate(next, rest[next.Length..]) : null;
                        open.Push((parent, taken || test == true, parent && !taken && test != false));
                        return true;
                    }
                case "endif" when open.Count > 0:
                    open.Pop();
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>True or false when every variable the test names is known; null otherwise.</summary>
        private static bool? Evaluate(string keyword, string arguments)
        {
            if (keyword is "ifdef" or "ifndef")
            {
                return null;
            }
            var resolved = Substitute(arguments, Known);
            if (resolved.Contains('$'))
            {
                return null;
            }
            var sides = Sides().Match(resolved.Trim());
            if (!sides.Success)
            {
                return null;
            }
            var equal = sides.Groups["a"].Value.Trim() == sides.Groups["b"].Value.Trim();
            return keyword == "ifeq" ? equal : !equal;
        }

        /// <summary>`(A,B)`, `"A" "B"` or `'A' 'B'`.</summary>
        [GeneratedRegex(@"^(?:\((?<a>[^,]*),(?<b>[^)]*)\)|[""'](?<a>[^""']*)[""']\s+[""'](?<b>[^""']*)[""'])$")]
        private static partial Regex Sides();
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
        // Per-object variables such as kern_mman.o_CFLAGS_ADD have dots in their names.
        if (name.Length == 0 || name.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-')))
        {
            return;
        }
        var words = text[(equals + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (!append)
        {
            lastValues[name] = string.Join(' ', words);
        }
        if (!values.TryGetValue(name, out var list))
        {
            values[name] = list = [];
        }
        list.AddRange(words);
    }

    /// <summary>Every word assigned to any variable (to ask whether the makefile names a flag anywhere).</summary>
    public IEnumerable<string> AllWords() => values.Values.SelectMany(v => v);

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
            var word = ResolveOwn(Substitute(words[i], substitutions));
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
            word = word.Replace("$(" + key + ")", value, StringComparison.Ordinal).Replace("${" + key + "}", value, StringComparison.Ordinal);
        }
        return word;
    }

    /// <summary>
    /// $(NAME) references to this makefile's own variables, by their last plain assignment, when that is one word
    /// without references (MakeInc.def: -DVM_KERNEL_LINK_ADDRESS=$(ARM64_LINK_ADDR), $(LARGE_MEMORY_DEFINE)). All
    /// conditional branches are read, so the last one wins: in MakeInc.def that is the MacOSX platform's.
    /// </summary>
    private string ResolveOwn(string word)
    {
        if (!word.Contains("$(", StringComparison.Ordinal))
        {
            return word;
        }
        return OwnReference().Replace(word, m =>
            lastValues.TryGetValue(m.Groups["name"].Value, out var value) && !value.Contains('$') && !value.Contains(' ') ? value : m.Value);
    }

    [GeneratedRegex(@"\$\((?<name>[A-Za-z0-9_]+)\)")]
    private static partial Regex OwnReference();

    /// <summary>
    /// The flags a Makefile.template adds to one object (kern_mman.o): `kern_mman.o_CFLAGS_ADD`, `…_INCFLAGS`, and
    /// those a `define` gives each object of a `$(foreach file,…,$(eval $(call …)))` over a
    /// `$(notdir $(wildcard DIR/*.c))` list — how xnu-11417 turns on -DVM_UNSAFE_TYPES for every osfmk/vm/*.c
    /// (without it those files' _ut types do not match their callers').
    /// </summary>
    public List<string> ObjectFlags(string objectName, IReadOnlyDictionary<string, string> substitutions)
    {
        var flags = LiteralFlags(objectName + "_CFLAGS_ADD", substitutions);
        flags.AddRange(LiteralFlags(objectName + "_INCFLAGS", substitutions).Where(f => f.StartsWith("-I", StringComparison.Ordinal)));
        foreach (var (variable, macro) in foreachCalls)
        {
            if (!macros.TryGetValue(macro, out var body) || !ObjectsOf(variable, substitutions).Contains(objectName))
            {
                continue;
            }
            foreach (var line in body)
            {
                var equals = line.IndexOf("+=", StringComparison.Ordinal);
                if (equals > 0 && line[..equals].Trim() == "$1_CFLAGS_ADD")
                {
                    flags.AddRange(line[(equals + 2)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                        .Where(w => !w.Contains('$') && (w.StartsWith("-D", StringComparison.Ordinal) || w.StartsWith("-U", StringComparison.Ordinal))));
                }
            }
        }
        return flags;
    }

    /// <summary>`OBJ = $(SRC:.c=.o)` with `SRC = $(notdir $(wildcard PATTERN))`: the object names, from the tree.</summary>
    private HashSet<string> ObjectsOf(string variable, IReadOnlyDictionary<string, string> substitutions)
    {
        var objects = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Words(variable))
        {
            var suffix = SuffixReference().Match(word);
            if (!suffix.Success)
            {
                continue;
            }
            var sourcePattern = string.Join(' ', Words(suffix.Groups["var"].Value));
            var wildcard = Wildcard().Match(sourcePattern);
            if (!wildcard.Success)
            {
                continue;
            }
            var pattern = Substitute(wildcard.Groups["pattern"].Value, substitutions);
            var folder = Path.GetDirectoryName(pattern);
            if (folder is null || pattern.Contains('$') || !Probe.Folder(folder))
            {
                continue;
            }
            foreach (var file in wildcardMatches.GetOrAdd((folder, Path.GetFileName(pattern)), key => [.. FolderListing.Files(key.Folder, key.Pattern)]))
            {
                var name = Path.GetFileName(file);
                if (name.EndsWith(suffix.Groups["from"].Value, StringComparison.Ordinal))
                {
                    objects.Add(name[..^suffix.Groups["from"].Value.Length] + suffix.Groups["to"].Value);
                }
            }
        }
        return objects;
    }

    [GeneratedRegex(@"^\$\(foreach\s+file\s*,\s*\$\((?<var>[A-Za-z0-9_]+)\)\s*,\s*\$\(eval\s+\$\(call\s+(?<macro>[A-Za-z0-9_]+)\s*,")]
    private static partial Regex ForeachCall();

    [GeneratedRegex(@"^\$\((?<var>[A-Za-z0-9_]+):(?<from>\.[a-z]+)=(?<to>\.[a-z]+)\)$")]
    private static partial Regex SuffixReference();

    [GeneratedRegex(@"\$\(notdir\s+\$\(wildcard\s+(?<pattern>[^)\s]+)\)\)")]
    private static partial Regex Wildcard();
}
