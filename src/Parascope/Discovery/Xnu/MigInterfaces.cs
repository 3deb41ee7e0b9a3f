using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Parascope.Files;
using Parascope.Parsing;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// The headers MIG would generate from a tree's .defs files, written by Parascope (there is no mig here): what
/// kernel units need of them to parse. A user-side header (NAME.h) declares each routine as the caller sees it
/// (`userprefix` + name; C types from the .defs `ctype:`/`cusertype:` or the MIG type name, which the C headers
/// typedef; out arguments by pointer; variable arrays with a count); a server-side header (NAME_server.h) declares
/// the server routines (`serverprefix` + name; `cservertype:` or the `intran:` target type) and the
/// `__Request__NAME_t`/`__Reply__NAME_t` message structures; both include the .defs `import`s (and `uimport`s or
/// `simport`s), which is where server headers get kern/ipc_kobject.h, vm/vm_map.h and the like from.
/// The .defs text is preprocessed as MIG does it, with the kernel's defines plus KERNEL_USER or KERNEL_SERVER.
/// </summary>
public static partial class MigInterfaces
{
    public sealed record Argument(string Direction, string Name, string Type, string? InlineSpec, string Flags = "");

    public sealed record Routine(string Name, bool Simple, ImmutableArray<Argument> Arguments, string UserPrefix, string ServerPrefix);

    public sealed record MigType(string Name, string Spec, string? CType, string? CUserType, string? CServerType, string? Intran);

    public sealed record Definitions(string Subsystem, ImmutableArray<Routine> Routines, ImmutableDictionary<string, MigType> Types,
        ImmutableArray<string> Imports, ImmutableArray<string> UserImports, ImmutableArray<string> ServerImports)
    {
        /// <summary>The subsystem table's name: MIG prefixes it with the server prefix (device.defs: `is_iokit_subsystem`).</summary>
        public string SubsystemTable { get; init; } = Subsystem + "_subsystem";

        /// <summary>The demultiplexer's name: `serverdemux` or SUBSYSTEM_server (never prefixed).</summary>
        public string ServerDemux { get; init; } = Subsystem + "_server";
    }

    /// <summary>
    /// How XNU's build runs MIG: Exported headers (MIG_UUHDRS/MIG_USHDRS, what every subsystem includes as
    /// &lt;mach/task.h&gt;) with the kernel's MIGFLAGS; KernelUser/KernelServer ones (MIG_KUHDRS/MIG_KSHDRS, osfmk's own)
    /// with MIGKUFLAGS/MIGKSFLAGS: MACH_KERNEL_PRIVATE and KERNEL_USER=1 or KERNEL_SERVER=1.
    /// </summary>
    public enum Side { Exported, KernelUser, KernelServer }

    /// <summary>What a reading depended on: the files it read (absolute) and each include candidate it tried, found or not.</summary>
    public sealed class Reads
    {
        public List<string> Files { get; } = [];
        public List<(string Path, bool Exists)> Probes { get; } = [];
    }

    /// <summary>Reads FILE preprocessed for one SIDE, includes resolved in ROOTS; READS, when given, records what it read.</summary>
    public static Definitions Read(string file, IReadOnlyList<string> roots, string arch, Side side, Reads? reads = null)
    {
        var defines = Conditionals.Predefined(arch).Remove("__ASSEMBLER__").ToBuilder();
        // MIGFLAGS = $(DEFINES) of makedefs/MakeInc.def (the arch's predefined macros come from Predefined).
        foreach (var define in new[] { "APPLE", "KERNEL", "KERNEL_PRIVATE", "XNU_KERNEL_PRIVATE", "PRIVATE", "__MACHO__" })
        {
            defines[define] = "1";
        }
        if (side != Side.Exported)
        {
            defines["MACH_KERNEL_PRIVATE"] = "1";
            defines[side == Side.KernelServer ? "KERNEL_SERVER" : "KERNEL_USER"] = "1";
        }
        var text = new StringBuilder();
        Preprocess(file, roots, new Conditionals(defines.ToImmutable()), new Macros(), text, new HashSet<string>(StringComparer.Ordinal), 0, reads);
        return Parse(StripComments(text.ToString()));
    }

    /// <summary>
    /// The #defines of a .defs run, expanded in its statements as cpp does: xnu-11417 names routines through macros,
    /// `routine PREFIX(mach_vm_allocate)(…)` and `routine task_threads MIG_SERVER_SUFFIX(…)`.
    /// </summary>
    private sealed partial class Macros
    {
        private readonly Dictionary<string, (string[]? Parameters, string Body)> _definitions = new(StringComparer.Ordinal);

        public void Define(string definition)
        {
            var match = Definition().Match(definition);
            if (match.Success)
            {
                var parameters = match.Groups["parameters"].Success
                    ? match.Groups["parameters"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    : null;
                _definitions[match.Groups["name"].Value] = (parameters, match.Groups["body"].Value.Trim());
            }
        }

        public void Undefine(string name) => _definitions.Remove(name.Trim());

        public string Expand(string line)
        {
            if (_definitions.Count == 0 || !NamesDefinition(line))
            {
                return line;
            }
            for (var pass = 0; pass < 8; pass++)
            {
                var changed = false;
                line = Identifier().Replace(line, match =>
                {
                    if (!_definitions.TryGetValue(match.Value, out var macro))
                    {
                        return match.Value;
                    }
                    changed = true;
                    return macro.Parameters is null ? macro.Body : match.Value + "\u0001";
                });
                // Function-like uses: NAME\u0001(args) → body with parameters replaced and ## pasted.
                line = Invocation().Replace(line, match =>
                {
                    var (parameters, body) = _definitions[match.Groups["name"].Value];
                    var arguments = match.Groups["arguments"].Value.Split(',', StringSplitOptions.TrimEntries);
                    for (var i = 0; i < parameters!.Length && i < arguments.Length; i++)
                    {
                        body = Regex.Replace(body, $@"\b{Regex.Escape(parameters[i])}\b", arguments[i].Replace("$", "$$", StringComparison.Ordinal));
                    }
                    return Regex.Replace(body, @"\s*##\s*", string.Empty);
                });
                line = line.Replace("\u0001", string.Empty, StringComparison.Ordinal);
                if (!changed)
                {
                    break;
                }
            }
            return line;
        }

        /// <summary>
        /// Whether LINE may name a definition: most lines of a .defs run (and of the headers it includes, preprocessed
        /// once per side) name none, and the expansion's regular expressions cost a replace per line. Identifiers are
        /// found as the expansion finds them (a run of word characters that starts with a letter or `_`); a line with
        /// other than ASCII, or with the expansion's own marker, is left to the expansion.
        /// </summary>
        private bool NamesDefinition(string line)
        {
            var lookup = _definitions.GetAlternateLookup<ReadOnlySpan<char>>();
            var text = line.AsSpan();
            for (var i = 0; i < text.Length;)
            {
                var c = text[i];
                if (c >= 0x80 || c == '\u0001')
                {
                    return true;
                }
                if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                {
                    i++;
                    continue;
                }
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                if (!char.IsAsciiDigit(text[start]) && lookup.ContainsKey(text[start..i]))
                {
                    return true;
                }
            }
            return false;
        }

        [GeneratedRegex(@"^(?<name>[A-Za-z_]\w*)(\((?<parameters>[^)]*)\))?(?<body>.*)$")]
        private static partial Regex Definition();

        [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
        private static partial Regex Identifier();

        [GeneratedRegex(@"(?<name>[A-Za-z_]\w*)\u0001\s*\((?<arguments>[^()]*)\)")]
        private static partial Regex Invocation();
    }

    private static void Preprocess(string file, IReadOnlyList<string> roots, Conditionals conditionals, Macros macros, StringBuilder output,
        HashSet<string> included, int depth, Reads? reads)
    {
        if (depth > 16 || !included.Add(Path.GetFullPath(file)))
        {
            return;
        }
        reads?.Files.Add(Path.GetFullPath(file));
        string[] lines;
        try
        {
            lines = RegularFiles.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + lines[++i];
            }
            var trimmed = line.TrimStart();
            if (!trimmed.StartsWith('#'))
            {
                if (conditionals.Active)
                {
                    output.Append(macros.Expand(line)).Append('\n');
                }
                continue;
            }
            var directive = Directive().Match(trimmed);
            if (!directive.Success)
            {
                continue;
            }
            var keyword = directive.Groups["keyword"].Value;
            var argument = StripComments(directive.Groups["argument"].Value).Trim();
            if (conditionals.Apply(keyword, argument) || !conditionals.Active)
            {
                continue;
            }
            switch (keyword)
            {
                case "define":
                    var space = argument.IndexOfAny([' ', '\t', '(']);
                    conditionals.Define(space < 0 ? argument : argument[..space], space < 0 ? "1" : argument[space..].Trim());
                    macros.Define(argument);
                    break;
                case "undef":
                    conditionals.Undefine(argument);
                    macros.Undefine(argument);
                    break;
                case "include":
                    var name = argument.Trim('<', '>', '"');
                    var candidates = new[] { Path.Combine(Path.GetDirectoryName(file)!, name) }.Concat(roots.Select(r => Path.Combine(r, name)));
                    if (candidates.FirstOrDefault(candidate => Probe(candidate, reads)) is { } found)
                    {
                        Preprocess(found, roots, conditionals, macros, output, included, depth + 1, reads);
                    }
                    break;
            }
        }
    }

    /// <summary>Whether PATH exists, recorded in READS.</summary>
    private static bool Probe(string path, Reads? reads)
    {
        var exists = Files.Probe.File(path);
        reads?.Probes.Add((path, exists));
        return exists;
    }

    [GeneratedRegex(@"^#\s*(?<keyword>[a-z]+)\b(?<argument>.*)$")]
    private static partial Regex Directive();

    private static string StripComments(string text) => CSourceText.Comment().Replace(text, " ");

    /// <summary>The statements of preprocessed .defs text (`;`-separated, parentheses kept whole).</summary>
    public static Definitions Parse(string text)
    {
        var routines = ImmutableArray.CreateBuilder<Routine>();
        var types = new Dictionary<string, MigType>(StringComparer.Ordinal);
        var imports = ImmutableArray.CreateBuilder<string>();
        var userImports = ImmutableArray.CreateBuilder<string>();
        var serverImports = ImmutableArray.CreateBuilder<string>();
        var subsystem = string.Empty;
        var userPrefix = string.Empty;
        var serverPrefix = string.Empty;
        string? serverDemux = null;
        foreach (var statement in Statements(text))
        {
            var words = statement.Split([' ', '\t', '\n', '\r'], 2, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }
            var rest = words.Length > 1 ? words[1].Trim() : string.Empty;
            // MIG's keywords ignore case: `SimpleRoutine`, `UserPrefix send_;` (resource_notify.defs).
            switch (words[0].ToLowerInvariant())
            {
                case "subsystem":
                    subsystem = rest.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)
                        .FirstOrDefault(w => !w.Equals("KernelUser", StringComparison.OrdinalIgnoreCase) && !w.Equals("KernelServer", StringComparison.OrdinalIgnoreCase)) ?? string.Empty;
                    break;
                case "userprefix":
                    userPrefix = rest;
                    break;
                case "serverprefix":
                    serverPrefix = rest;
                    break;
                case "serverdemux":
                    serverDemux = rest;
                    break;
                case "import":
                    imports.Add(rest);
                    break;
                case "uimport":
                    userImports.Add(rest);
                    break;
                case "simport":
                    serverImports.Add(rest);
                    break;
                case "type":
                    if (ParseType(rest) is { } type)
                    {
                        types[type.Name] = type;
                    }
                    break;
                case "routine" or "simpleroutine":
                    if (ParseRoutine(rest, words[0] == "simpleroutine", userPrefix, serverPrefix) is { } routine)
                    {
                        routines.Add(routine);
                    }
                    break;
            }
        }
        return new Definitions(subsystem, routines.ToImmutable(), types.ToImmutableDictionary(StringComparer.Ordinal),
            imports.ToImmutable(), userImports.ToImmutable(), serverImports.ToImmutable())
        {
            SubsystemTable = serverPrefix + subsystem + "_subsystem",
            ServerDemux = serverDemux ?? subsystem + "_server",
        };
    }

    private static IEnumerable<string> Statements(string text)
    {
        var start = 0;
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ';' when depth == 0:
                    yield return text[start..i].Trim();
                    start = i + 1;
                    break;
            }
        }
    }

    private static readonly string[] TypeKeys = ["ctype:", "cusertype:", "cservertype:", "intran:", "outtran:", "destructor:", "intranpayload:"];

    private static MigType? ParseType(string text)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0)
        {
            return null;
        }
        var name = text[..equals].Trim();
        var body = TypeKey().Replace(text[(equals + 1)..], m => m.Groups[1].Value.ToLowerInvariant() + ":");
        var keys = TypeKeys.Select(k => (Key: k, At: body.IndexOf(k, StringComparison.Ordinal))).Where(k => k.At >= 0).OrderBy(k => k.At).ToList();
        var spec = (keys.Count == 0 ? body : body[..keys[0].At]).Trim();
        string? Value(string key)
        {
            var index = keys.FindIndex(k => k.Key == key);
            if (index < 0)
            {
                return null;
            }
            var end = index + 1 < keys.Count ? keys[index + 1].At : body.Length;
            return body[(keys[index].At + key.Length)..end].Trim();
        }
        // intran: TARGET function(SOURCE): the server sees TARGET.
        var intran = Value("intran:")?.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return new MigType(name, spec, Value("ctype:"), Value("cusertype:"), Value("cservertype:"), intran);
    }

    private static Routine? ParseRoutine(string text, bool simple, string userPrefix, string serverPrefix)
    {
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open <= 0 || close < open)
        {
            return null;
        }
        var name = text[..open].Trim();
        var arguments = ImmutableArray.CreateBuilder<Argument>();
        foreach (var part in text[(open + 1)..close].Split(';'))
        {
            var colon = part.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }
            var head = part[..colon].Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (head.Length == 0)
            {
                continue;
            }
            var direction = head.Length > 1 ? head[0].ToLowerInvariant() : "in";
            var argumentName = head[^1];
            // `name : type, flags = default`: the type is what comes before the first comma or '='.
            var declaration = part[(colon + 1)..];
            var typeText = declaration.Split(',')[0].Split('=')[0].Trim();
            var inline = InlineArray().IsMatch(typeText) ? typeText : null;
            var comma = declaration.IndexOf(',');
            arguments.Add(new Argument(direction, argumentName, typeText, inline, comma < 0 ? string.Empty : declaration[(comma + 1)..]));
        }
        return new Routine(name, simple, arguments.ToImmutable(), userPrefix, serverPrefix);
    }

    /// <summary>A type's keys in any case and spacing (`ctype :` in xnu-11417's mach_types.defs).</summary>
    [GeneratedRegex(@"\b(ctype|cusertype|cservertype|intran|outtran|destructor|intranpayload)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex TypeKey();

    [GeneratedRegex(@"^\^?\s*(array|struct|c_string)\s*\[")]
    private static partial Regex InlineArray();

    /// <summary>The C parameter list of ROUTINE for one side, MIG's way.</summary>
    public static string Parameters(Definitions definitions, Routine routine, bool server)
    {
        var parameters = new List<string>();
        foreach (var argument in routine.Arguments)
        {
            var direction = argument.Direction;
            var passed = direction switch
            {
                "requestport" or "in" or "out" or "inout" => true,
                "ureplyport" => !server,
                "sreplyport" or "msgseqno" or "serveraudittoken" or "servertoken" or "serversectoken" => server,
                _ => false,
            };
            if (!passed)
            {
                continue;
            }
            var type = CType(definitions, argument, server);
            var spec = argument.InlineSpec ?? Spec(definitions, argument.Type);
            var outward = direction is "out" or "inout";
            // A bounded array (array[*:N], a C array type) is filled in place; anything else comes back by pointer.
            var byPointer = outward && !IsBoundedArray(spec);
            parameters.Add($"{type}{(byPointer ? " *" : " ")}{argument.Name}");
            // SameCount: the array shares the count of the one before it (MIG writes no second count).
            if (IsVariableArray(spec) && !argument.Flags.Contains("SameCount", StringComparison.Ordinal))
            {
                parameters.Add($"mach_msg_type_number_t{(outward ? " *" : " ")}{argument.Name}Cnt");
            }
            // `MACH_MSG_TYPE_POLYMORPHIC` or `polymorphic|MACH_MSG_TYPE_MAKE_SEND_ONCE`: the caller names the disposition.
            if (spec.Contains("polymorphic", StringComparison.OrdinalIgnoreCase))
            {
                parameters.Add($"mach_msg_type_name_t{(direction == "out" ? " *" : " ")}{argument.Name}Poly");
            }
        }
        return parameters.Count == 0 ? "void" : string.Join(", ", parameters);
    }

    private static string Spec(Definitions definitions, string type)
    {
        for (var seen = 0; seen < 8 && definitions.Types.TryGetValue(type, out var found); seen++)
        {
            if (found.CType is not null || !definitions.Types.ContainsKey(found.Spec))
            {
                return found.Spec;
            }
            type = found.Spec;
        }
        return type;
    }

    private static bool IsBoundedArray(string spec) => Regex.IsMatch(spec, @"array\s*\[\s*\*\s*:");

    private static bool IsVariableArray(string spec) =>
        Regex.IsMatch(spec, @"array\s*\[\s*(\]|\*)") && !spec.StartsWith("c_string", StringComparison.Ordinal);

    private static string CType(Definitions definitions, Argument argument, bool server)
    {
        if (argument.InlineSpec is { } inline)
        {
            // An array declared in place: MIG passes a pointer to its element type.
            var of = Regex.Match(inline, @"\bof\s+(?<element>[A-Za-z_][A-Za-z0-9_]*)");
            return of.Success ? CType(definitions, argument with { Type = of.Groups["element"].Value, InlineSpec = null }, server) + " *" : "void *";
        }
        if (definitions.Types.TryGetValue(argument.Type, out var type))
        {
            var chosen = server ? type.CServerType ?? type.Intran ?? type.CType : type.CUserType ?? type.CType;
            return chosen ?? type.Name;
        }
        return argument.Type switch
        {
            "MACH_MSG_TYPE_MAKE_SEND" or "MACH_MSG_TYPE_COPY_SEND" or "MACH_MSG_TYPE_MOVE_SEND" or "MACH_MSG_TYPE_MAKE_SEND_ONCE"
                or "MACH_MSG_TYPE_MOVE_SEND_ONCE" or "MACH_MSG_TYPE_MOVE_RECEIVE" or "MACH_MSG_TYPE_PORT_SEND" => "mach_port_t",
            "MACH_MSG_TYPE_INTEGER_32" => "int",
            _ => argument.Type,
        };
    }

    /// <summary>The user-side header: imports, message structures, one prototype per routine.</summary>
    public static string UserHeader(string banner, string guard, Definitions definitions)
    {
        var text = Header(banner, guard, definitions.Imports.Concat(definitions.UserImports));
        Messages(text, definitions);
        foreach (var routine in definitions.Routines)
        {
            text.Append($"kern_return_t {routine.UserPrefix}{routine.Name}({Parameters(definitions, routine, server: false)});\n");
        }
        return Footer(text, guard);
    }

    /// <summary>
    /// The server-side header: imports and message structures. No server-routine prototypes: the kernel defines
    /// those routines itself, often with types that differ from the .defs spelling in ways C calls conflicting
    /// (measured: host.c, locks.c), and only MIG's own generated server .c calls them.
    /// </summary>
    public static string ServerHeader(string banner, string guard, Definitions definitions)
    {
        var text = Header(banner, guard, definitions.Imports.Concat(definitions.ServerImports));
        Messages(text, definitions);
        if (definitions.Subsystem.Length > 0)
        {
            // The demultiplexer and the subsystem table ipc_kobject.c registers (`&mach_vm_subsystem`).
            var demux = definitions.ServerDemux;
            var table = definitions.SubsystemTable;
            text.Append($"extern boolean_t {demux}(mach_msg_header_t *InHeadP, mach_msg_header_t *OutHeadP);\n")
                .Append($"extern mig_routine_t {demux}_routine(mach_msg_header_t *InHeadP);\n")
                .Append($"extern const struct {table} {{ mig_server_routine_t server; mach_msg_id_t start; mach_msg_id_t end; ")
                .Append($"unsigned int maxsize; vm_address_t reserved; struct routine_descriptor routine[{Math.Max(1, definitions.Routines.Length)}]; }} {table};\n");
        }
        return Footer(text, guard);
    }

    /// <summary>__Request__/__Reply__ message types (header, NDR and return code: what kernel code reads of them).</summary>
    private static void Messages(StringBuilder text, Definitions definitions)
    {
        foreach (var routine in definitions.Routines)
        {
            foreach (var kind in new[] { "Request", "Reply" })
            {
                var name = $"__{kind}__{routine.Name}_t";
                text.Append($"#ifndef {name}_defined\n#define {name}_defined\n")
                    .Append($"typedef struct {{ mach_msg_header_t Head; NDR_record_t NDR; kern_return_t RetCode; }} {name};\n#endif\n");
            }
        }
    }

    private static StringBuilder Header(string banner, string guard, IEnumerable<string> includes)
    {
        var text = new StringBuilder(banner);
        text.Append($"#ifndef {guard}\n#define {guard}\n");
        // What every MIG header includes, in MIG's order; guarded, so a tree without them (a test tree, a partial
        // checkout) still parses. Kernel code relies on them: arcade.c's MIG_SERVER_DIED comes from mig_errors.h.
        foreach (var basic in new[] { "mach/ndr.h", "mach/boolean.h", "mach/kern_return.h", "mach/notify.h", "mach/mach_types.h", "mach/message.h", "mach/mig_errors.h", "mach/port.h" })
        {
            text.Append($"#if __has_include(<{basic}>)\n#include <{basic}>\n#endif\n");
        }
        foreach (var include in includes.Distinct(StringComparer.Ordinal))
        {
            text.Append("#include ").Append(include).Append('\n');
        }
        return text.Append("#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
    }

    private static string Footer(StringBuilder text, string guard) =>
        text.Append("#ifdef __cplusplus\n}\n#endif\n#endif /* ").Append(guard).Append(" */\n").ToString();

    /// <summary>A header guard from a header's name (mach/task.h → _PARASCOPE_MIG_MACH_TASK_H_).</summary>
    public static string Guard(string header) => "_PARASCOPE_MIG_" + Regex.Replace(header.ToUpperInvariant(), "[^A-Z0-9]", "_") + "_";
}
