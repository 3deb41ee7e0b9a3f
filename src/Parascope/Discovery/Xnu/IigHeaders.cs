using System.Text;
using System.Text.RegularExpressions;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// What XNU's build gets from iig (Apple's interface generator for DriverKit, not in the public tree) for each
/// iokit/DriverKit/X.iig: DriverKit/X.h, as the kernel needs it to parse. It keeps the .iig's own text outside its
/// classes (typedefs, enums, constants, the IMPL/DEFN macros, include guards) with the annotations iig reads
/// removed, and for each class writes the macros the kernel expands: `X_Methods` (through
/// OSDeclareDefaultStructorsWithDispatch: each method with the `OSDispatchMethod supermethod = NULL` parameter of
/// an RPC, its `M_Impl` — with `const IORPC rpc` first for an INVOKEREPLY method — and `CreateActionM` for a
/// method with a TARGET action), `X_M_Args` (IMPL(X, M)'s parameter list) and empty `X_KernelMethods`… A
/// `NATIVE` class (OSAction, IODispatchQueue…: no kernel header declares it) is declared here with `super` and
/// `ivars`; a `KERNEL` class is declared by its kernel header (IOService.h…), so its macros leave out what that
/// header declares itself; a REPLY method's IORPC overload; array parameters as pointers in `M_Impl`. Not iig's exact
/// output: enough for the kernel's units to parse (xnu-11417: IOUserServer.cpp from 294 errors to none, five other
/// IOKit units clean).
/// </summary>
public static partial class IigHeaders
{
    private const string Banner = "/* Parascope stand-in for a header XNU's build generates (iig); not from the tree. */\n";

    [GeneratedRegex(@"\b(?:LOCALONLY|LOCALHOST|LOCAL|KERNEL|NATIVE|REPLY|INVOKEREPLY|IIG_SERIALIZABLE|TARGET|PORTCOPYSEND|PORTMAKESEND|QUEUENAME\s*\([^)]*\)|TYPE\s*\([^)]*\)|EXTENDS\s*\([^)]*\))")]
    private static partial Regex Annotation();

    [GeneratedRegex(@"^class\s+(?<head>[^{;]*?)\{", RegexOptions.Multiline)]
    private static partial Regex ClassHead();

    [GeneratedRegex(@"__attribute__\s*\(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\)")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"^(?<pre>.*?)\b(?<name>~?[A-Za-z_]\w*)\s*\((?<params>.*)\)\s*(?<post>[^()]*)$")]
    private static partial Regex MethodShape();

    [GeneratedRegex(@"\b(\w+)\s*\([^;{}]*\)[^;{}()]*\bINVOKEREPLY\b")]
    private static partial Regex InvokeReplyMethod();

    [GeneratedRegex(@"#include\s*<([^>]+)>")]
    private static partial Regex Include();

    [GeneratedRegex(@"^class\s+(?:IIG_SERIALIZABLE\s+)?(\w+)\s*;", RegexOptions.Multiline)]
    private static partial Regex ForwardDeclaration();

    [GeneratedRegex(@"^\s*#.*$", RegexOptions.Multiline)]
    private static partial Regex PreprocessorLine();

    [GeneratedRegex(@"\b(?:public|protected|private)\s*:")]
    private static partial Regex AccessLabel();

    [GeneratedRegex(@"\s*=\s*[^,]*$")]
    private static partial Regex DefaultValue();

    [GeneratedRegex(@"=\s*0\b")]
    private static partial Regex Pure();

    [GeneratedRegex(@"^(?<type>.*?)(?:\s*\bconst)?\s+(?<name>\w+)\s*\[[^\]]*\]$")]
    private static partial Regex ArrayParameter();

    private sealed record Method(string Pre, string Name, string Parameters, string Post, HashSet<string> Annotations)
    {
        public bool IsStatic => Pre.Split(' ').Contains("static");
        public bool IsOverride => Post.Contains("override", StringComparison.Ordinal);
    }

    private sealed record IigClass(string Name, string? Base, bool Native, bool Extends, List<Method> Methods);

    /// <summary>DriverKit/NAME.h for each .iig of FILES; ROOT is the tree (kernel class headers are read there).</summary>
    public static Dictionary<string, string> Generate(IReadOnlyList<string> files, string root)
    {
        // Comments become blank lines, so positions in the text keep their line numbers.
        var texts = files.Select(f => (File: f, Text: ReadOrNull(f)))
            .Where(t => t.Text is not null)
            .ToDictionary(t => t.File, t => CSourceText.Comment().Replace(t.Text!, m => new string('\n', m.Value.Count(ch => ch == '\n'))));
        var invokeReply = texts.Values.SelectMany(t => InvokeReplyMethod().Matches(t).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        var kernelClasses = new KernelClassHeaders(root);
        return texts.ToDictionary(t => "DriverKit/" + Path.GetFileNameWithoutExtension(t.Key) + ".h",
            t => Header(t.Value, Path.GetDirectoryName(t.Key)!, invokeReply, kernelClasses), StringComparer.Ordinal);
    }

    /// <summary>An unreadable file is skipped: its units then miss one generated header, as with no stand-in at all.</summary>
    private static string? ReadOrNull(string path)
    {
        try
        {
            return RegularFiles.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Header(string text, string folder, HashSet<string> invokeReply, KernelClassHeaders kernelClasses)
    {
        var classes = new List<IigClass>();
        var outside = new StringBuilder();
        var position = 0;
        foreach (Match head in ClassHead().Matches(text))
        {
            if (head.Index < position || BodyEnd(text, head.Index + head.Length - 1) is not var (close, after))
            {
                continue;
            }
            var headText = head.Groups["head"].Value;
            var extends = Regex.Match(headText, @"EXTENDS\s*\(\s*(\w+)\s*\)");
            var parts = Annotation().Replace(headText, " ").Split(':');
            var name = parts[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty;
            var baseName = parts.Length > 1 ? parts[1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).LastOrDefault() : null;
            var declared = new IigClass(extends.Success ? extends.Groups[1].Value : name, baseName, headText.Contains("NATIVE", StringComparison.Ordinal),
                extends.Success, Methods(text[(head.Index + head.Length)..close]));
            classes.Add(declared);
            // The class itself becomes its declaration (NATIVE) or nothing (the kernel header declares it); neither
            // has an #include or a forward declaration for the rewrites below to touch.
            outside.Append(OutsideClasses(text[position..head.Index], folder)).Append(NativeClass(declared));
            position = after;
        }
        outside.Append(OutsideClasses(text[position..], folder));

        var macros = new StringBuilder();
        foreach (var group in classes.GroupBy(c => c.Name, StringComparer.Ordinal))
        {
            var native = group.Any(c => c.Native);
            Macros(macros, group.Key, native, group.SelectMany(c => c.Methods), native ? new HashSet<string>() : kernelClasses.Members(group.Key), invokeReply);
        }
        // No guard of our own: the .iig's guard sits after its `#if KERNEL #include <IOKit/X.h>`, so a kernel header
        // included first still sees this header's typedefs before its class body (identical macro redefinitions are legal).
        return Banner + macros + "\n" + outside + "\n";
    }

    /// <summary>The .iig's text between classes: includes of .iig files become their headers, SDK-only ones go.</summary>
    private static string OutsideClasses(string text, string folder)
    {
        var top = Include().Replace(text, m =>
        {
            var path = m.Groups[1].Value;
            var file = Path.GetFileName(path);
            // Only what this tree has: DriverKit/OSMetaClass.h and the like exist in the user-space DriverKit SDK only.
            if (path.EndsWith(".iig", StringComparison.Ordinal))
            {
                return RegularFiles.Exists(Path.Combine(folder, file)) ? $"#include <{path[..^4]}.h>" : string.Empty;
            }
            return RegularFiles.Exists(Path.Combine(folder, file)) || !path.StartsWith("DriverKit/", StringComparison.Ordinal) ? m.Value : string.Empty;
        });
        return ForwardDeclaration().Replace(top, "class $1;");
    }

    private static void Macros(StringBuilder text, string name, bool native, IEnumerable<Method> methods, IReadOnlySet<string> declared, HashSet<string> invokeReply)
    {
        var members = new List<string> { "public:" };
        var seen = new HashSet<(string, string)>();
        foreach (var method in methods)
        {
            // init/free overrides: the kernel's OSObject declares them; constructors and destructors are the class's own.
            if (method.Name.StartsWith('~') || method.Name == name || (method.IsOverride && method.Name is "init" or "free"))
            {
                continue;
            }
            // iig passes an array parameter as a pointer, the element's own const dropped: `IOMemoryDescriptor * const
            // withDescriptors[32]` is implemented as `IOMemoryDescriptor ** const withDescriptors`.
            var arguments = string.Join(", ", SplitParameters(method.Parameters)
                .Select(p => ArrayParameter().Replace(DefaultValue().Replace(p, string.Empty), "${type} * const ${name}")));
            if (!seen.Add((method.Name, arguments)))
            {
                continue;
            }
            text.Append("#define ").Append(name).Append('_').Append(method.Name).Append("_Args ").Append(arguments).Append('\n');
            var post = Pure().Replace(method.Post, string.Empty).Trim();
            if (!native)
            {
                post = post.Replace("override", string.Empty, StringComparison.Ordinal).Trim();
            }
            var implPre = string.Join(' ', method.Pre.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w != "virtual"));
            var implArguments = invokeReply.Contains(method.Name) ? "const IORPC rpc" + (arguments.Length > 0 ? ", " + arguments : string.Empty) : arguments;
            var impl = $"{implPre} {method.Name}_Impl({implArguments}) {post.Replace("override", string.Empty, StringComparison.Ordinal).Trim()};";
            // A REPLY method is also sent as the reply to an RPC: `InterruptOccurred(rpc, action, count, time)`.
            if (method.Annotations.Contains("REPLY"))
            {
                members.Add($"kern_return_t {method.Name}(const IORPC rpc{(arguments.Length > 0 ? ", " + arguments : string.Empty)});");
            }
            if (method.Annotations.Contains("TARGET"))
            {
                members.Add($"kern_return_t CreateAction{method.Name}(size_t referenceSize, OSAction ** action);");
            }
            if (declared.Contains(method.Name) || (method.IsOverride && !native))
            {
                if (!declared.Contains(method.Name + "_Impl") && !method.Annotations.Contains("LOCALONLY"))
                {
                    members.Add(impl);
                }
                continue;
            }
            if (method.Annotations.Contains("LOCALONLY"))
            {
                members.Add($"{method.Pre} {method.Name}({method.Parameters}) {post};");
                continue;
            }
            var parameters = SplitParameters(method.Parameters).Count > 0 ? method.Parameters : string.Empty;
            var supermethod = method.IsStatic ? string.Empty : (parameters.Length > 0 ? ", " : string.Empty) + "OSDispatchMethod supermethod = NULL";
            members.Add($"{method.Pre} {method.Name}({parameters}{supermethod}) {post};");
            members.Add(impl);
        }
        text.Append("#define ").Append(name).Append("_Methods ").Append(string.Join(" \\\n", members)).Append('\n');
        foreach (var suffix in new[] { "_KernelMethods", "_VirtualMethods", "_LocalMethods" })
        {
            text.Append("#define ").Append(name).Append(suffix).Append('\n');
        }
    }

    private static string NativeClass(IigClass declared)
    {
        if (!declared.Native || declared.Extends)
        {
            return string.Empty;
        }
        var text = new StringBuilder("#ifdef __cplusplus\nclass ").Append(declared.Name);
        if (declared.Base is not null)
        {
            text.Append(" : public ").Append(declared.Base);
        }
        text.Append("\n{\n    OSDeclareDefaultStructorsWithDispatch(").Append(declared.Name).Append(");\npublic:\n")
            .Append("    typedef ").Append(declared.Base ?? "OSObject").Append(" super;\n")
            .Append("    struct ").Append(declared.Name).Append("_IVars * ivars;\n");
        foreach (var method in declared.Methods.Where(m => m.IsOverride && m.Name is "init" or "free"))
        {
            text.Append("    ").Append(method.Pre).Append(' ').Append(method.Name).Append('(').Append(method.Parameters).Append(") ")
                .Append(Pure().Replace(method.Post, string.Empty).Trim()).Append(";\n");
        }
        return text.Append("};\n#endif\n").ToString();
    }

    private static List<Method> Methods(string body)
    {
        body = AccessLabel().Replace(PreprocessorLine().Replace(body, string.Empty), " ");
        var methods = new List<Method>();
        foreach (var statement in body.Split(';'))
        {
            var text = string.Join(' ', statement.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (!text.Contains('(', StringComparison.Ordinal))
            {
                continue;
            }
            var annotations = Annotation().Matches(text).Select(m => m.Value.Split('(')[0].Trim()).ToHashSet(StringComparer.Ordinal);
            text = Attribute().Replace(Annotation().Replace(text, " "), " ");
            text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            var shape = MethodShape().Match(text);
            if (shape.Success)
            {
                methods.Add(new Method(shape.Groups["pre"].Value.Trim(), shape.Groups["name"].Value, shape.Groups["params"].Value, shape.Groups["post"].Value, annotations));
            }
        }
        return methods;
    }

    /// <summary>Parameters split at top-level commas; `void` alone is no parameter.</summary>
    private static List<string> SplitParameters(string parameters)
    {
        var result = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= parameters.Length; i++)
        {
            if (i < parameters.Length)
            {
                switch (parameters[i])
                {
                    case '(' or '<' or '[':
                        depth++;
                        continue;
                    case ')' or '>' or ']':
                        depth--;
                        continue;
                    case not ',':
                        continue;
                }
                if (depth > 0)
                {
                    continue;
                }
            }
            var parameter = parameters[start..i].Trim();
            if (parameter.Length > 0 && parameter != "void")
            {
                result.Add(parameter);
            }
            start = i + 1;
        }
        return result;
    }

    /// <summary>The `}` that closes the brace at OPEN and the position after the `;` that follows it.</summary>
    private static (int Close, int After)? BodyEnd(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '{')
            {
                depth++;
            }
            else if (text[i] == '}' && --depth == 0)
            {
                var semicolon = text.IndexOf(';', i);
                return semicolon < 0 ? null : (i, semicolon + 1);
            }
        }
        return null;
    }

    /// <summary>The member names a kernel header declares for a class (IOKit/IOService.h's IOService…), read once per class.</summary>
    private sealed class KernelClassHeaders(string root)
    {
        private readonly Dictionary<string, IReadOnlySet<string>> members = new(StringComparer.Ordinal);
        private List<string>? headers;

        public IReadOnlySet<string> Members(string name)
        {
            if (members.TryGetValue(name, out var known))
            {
                return known;
            }
            headers ??= [.. new[] { "iokit/IOKit", "libkern/libkern/c++" }.Select(f => Path.Combine(root, f)).Where(Probe.Folder)
                .SelectMany(f => FolderListing.Files(f, "*.h")).Order(StringComparer.Ordinal)
                .Select(ReadOrNull).OfType<string>().Select(t => CSourceText.Comment().Replace(t, " "))];
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var text in headers)
            {
                var head = Regex.Match(text, @"^class\s+" + Regex.Escape(name) + @"\s*:[^{;]*\{", RegexOptions.Multiline);
                if (head.Success && BodyEnd(text, head.Index + head.Length - 1) is var (close, _))
                {
                    names.UnionWith(Regex.Matches(text[(head.Index + head.Length)..close], @"\b([A-Za-z_]\w*)\s*\(").Select(m => m.Groups[1].Value));
                }
            }
            members[name] = names;
            return names;
        }
    }
}
