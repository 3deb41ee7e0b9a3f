using System.Collections.Immutable;
using System.Globalization;
using Parascope.Files;
using Parascope.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static Parascope.Rules.YamlValues;

namespace Parascope.Rules;

/// <summary>
/// Reads rules/*.yaml. Every problem becomes a <see cref="RuleError"/> with file and line; nothing throws for bad input.
/// A file is `rules:` followed by a list of rule mappings (see docs/rules.md).
/// </summary>
public static class RuleLoader
{
    private static readonly ImmutableHashSet<string> RuleKeys = ImmutableHashSet.Create(
        "id", "category", "title", "description", "arch", "class", "match", "targets", "weight", "references", "operation", "readiness");
    private static readonly ImmutableHashSet<string> Arches = [.. Enum.GetValues<InstructionFamily>().Select(Architecture.RuleName), "any"];

    public sealed record Result(ImmutableArray<Rule> Rules, ImmutableArray<RuleError> Errors)
    {
        /// <summary>The first problem as the one line a scan stops with (validate lists them all), or null.</summary>
        public InputError? Error => Errors.IsEmpty ? null
            : new InputError(Errors[0] + (Errors.Length > 1 ? $" (and {Errors.Length - 1} more rule errors)" : string.Empty));

        /// <summary>The hook table the rules' operations were checked against (rules/hooks.yaml).</summary>
        public HookSet Hooks { get; init; } = HookSet.Empty;

        /// <summary>
        /// SHA-256 over the texts the rules were loaded from (built-in resources, then a user's files, each with its
        /// name): two scans with the same digest used the same rules and hooks, so merge can refuse shards that did not.
        /// </summary>
        public string Digest { get; init; } = string.Empty;
    }

    private static string DigestOf(IEnumerable<(string Name, string Text)> sources, string prefix = "")
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(prefix));
        foreach (var (name, text) in sources)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"\u0000{name}\u0000{text}"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Data files that live beside the rules but are not rules: the port's phases and the hook table.</summary>
    private static readonly ImmutableHashSet<string> NotRuleFiles = ImmutableHashSet.Create("entry-points.yaml", HookLoader.FileName);

    private static bool IsRuleFile(string path) => !NotRuleFiles.Contains(Path.GetFileName(path));

    /// <summary>The rule set compiled into the engine (the repository's rules/ folder), each rule with its help link.</summary>
    public static Result LoadBuiltIn()
    {
        var texts = BuiltInTexts();
        var hooks = HookLoader.LoadBuiltIn();
        var loaded = LoadTexts(texts.Where(t => IsRuleFile(t.Name)), hooks.Hooks);
        return loaded with
        {
            Digest = BuiltIn.Value.Digest,
            Errors = hooks.Errors.AddRange(loaded.Errors),
            Rules = loaded.Rules.Select(rule => rule with { HelpUri = RuleDocumentation.HelpUri(rule.Id) }).ToImmutableArray(),
        };
    }

    /// <summary>The texts of the built-in rule files (resources under rules/), by name: read once a process.</summary>
    private static IReadOnlyList<(string Name, string Text)> BuiltInTexts() => BuiltIn.Value.Texts;

    /// <summary>
    /// The built-in rule files and their digest, read and hashed once: a scan asks for the digest before it loads the
    /// rules (a kept whole scan is found by it), so each was done twice, ~40 ms of a re-scan on two cores.
    /// </summary>
    private static readonly Lazy<(IReadOnlyList<(string Name, string Text)> Texts, string Digest)> BuiltIn = new(() =>
    {
        var texts = ReadBuiltInTexts();
        return (texts, DigestOf(texts));
    });

    private static List<(string Name, string Text)> ReadBuiltInTexts()
    {
        var assembly = typeof(RuleLoader).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith("rules/", StringComparison.Ordinal))
            .OrderBy(name => name, StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                return (name, reader.ReadToEnd());
            })];
    }

    /// <summary>The *.yaml and *.yml files directly in DIRECTORY (rules and data files alike), by file name; none when it is not a folder.</summary>
    private static IEnumerable<(string Name, string Text)> UserTexts(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Where(path => path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal))
                .Where(RegularFiles.Exists)
                .OrderBy(path => path, StringComparer.Ordinal).Select(path => (Path.GetFileName(path), File.ReadAllText(path)))
            : [];

    /// <summary>
    /// The digest <see cref="LoadWith"/> gives for the same files, from their texts alone (no parse): what a kept whole
    /// scan is looked up by before any rule is read. Null when USERDIRECTORY is not a folder (loading it is an error).
    /// </summary>
    public static string? DigestWith(string? userDirectory)
    {
        var builtIn = BuiltIn.Value.Digest;
        return userDirectory is null ? builtIn : Directory.Exists(userDirectory) ? DigestOf(UserTexts(userDirectory), builtIn) : null;
    }

    /// <summary>Every *.yaml and *.yml file directly in <paramref name="directory"/>, by name.</summary>
    public static Result LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return new Result([], [new RuleError(directory, 0, File.Exists(directory)
                ? "not a folder (give the folder that holds the *.yaml rule files)"
                : "no such rules directory")]);
        }
        var paths = Directory.EnumerateFiles(directory)
            .Where(path => (path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal)) && IsRuleFile(path))
            .OrderBy(path => path, StringComparer.Ordinal)
            .ToList();
        // A FIFO named *.yaml would block the read until a writer came: named, never opened.
        var unreadable = paths.Select(path => (Path: path, Kind: RegularFiles.KindOf(path))).Where(p => p.Kind != FileKind.Regular)
            .Select(p => NotARegularFile(p.Path, p.Kind)).ToList();
        var files = paths.Where(RegularFiles.Exists).Select(path => (path, File.ReadAllText(path)));
        var hooks = LoadHooks(directory);
        var result = LoadTexts(files, hooks.Hooks);
        return result with { Errors = hooks.Errors.AddRange(unreadable).AddRange(result.Errors) };
    }

    /// <summary>
    /// The built-in hook table, with the hooks of <paramref name="directory"/>/hooks.yaml added (a hook with a
    /// built-in id replaces it), so a user's rules may name a hook of their own.
    /// </summary>
    private static HookLoader.Result LoadHooks(string directory)
    {
        var builtIn = HookLoader.LoadBuiltIn();
        var path = Path.Combine(directory, HookLoader.FileName);
        switch (RegularFiles.KindOf(path))
        {
            case FileKind.Missing:
                return builtIn;
            case not FileKind.Regular and var kind:
                return builtIn with { Errors = builtIn.Errors.Add(NotARegularFile(path, kind)) };
        }
        var user = HookLoader.LoadText(path, File.ReadAllText(path), HookLoader.BuiltInPhases());
        var hooks = builtIn.Hooks.Hooks.Where(hook => !user.Hooks.Contains(hook.Id)).Concat(user.Hooks.Hooks);
        var layers = builtIn.Hooks.Layers.Where(layer => user.Hooks.Layers.All(l => l.Id != layer.Id)).Concat(user.Hooks.Layers);
        return new HookLoader.Result(new HookSet(hooks, layers), builtIn.Errors.AddRange(user.Errors));
    }

    private static RuleError NotARegularFile(string path, FileKind kind) =>
        new(path, 0, $"{RegularFiles.Describe(kind)}; a rule file must be a regular file (never opened)");

    /// <summary>The built-in rules plus a user's directory; a user rule with a built-in id replaces it.</summary>
    public static Result LoadWith(string? userDirectory)
    {
        var builtIn = LoadBuiltIn();
        if (userDirectory is null)
        {
            return builtIn;
        }
        var user = LoadDirectory(userDirectory);
        var merged = builtIn.Rules.ToDictionary(rule => rule.Id, StringComparer.Ordinal);
        foreach (var rule in user.Rules)
        {
            merged[rule.Id] = rule;
        }
        return new Result(merged.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToImmutableArray(), builtIn.Errors.AddRange(user.Errors))
        {
            Hooks = user.Hooks,
            Digest = DigestOf(UserTexts(userDirectory), builtIn.Digest),
        };
    }

    /// <summary>
    /// Rules from texts; each rule's operation must name a hook of <paramref name="hooks"/> (the built-in hook
    /// table when null).
    /// </summary>
    public static Result LoadTexts(IEnumerable<(string File, string Text)> sources, HookSet? hooks = null)
    {
        hooks ??= HookLoader.LoadBuiltIn().Hooks;
        var rules = new List<Rule>();
        var errors = new List<RuleError>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, text) in sources)
        {
            foreach (var rule in LoadText(file, text, hooks, errors))
            {
                if (seen.TryGetValue(rule.Id, out var first))
                {
                    errors.Add(Error(rule.Origin, $"duplicate rule id '{rule.Id}' (first defined at {first})"));
                    continue;
                }
                seen[rule.Id] = rule.Origin;
                rules.Add(rule);
            }
        }
        return new Result(rules.ToImmutableArray(), errors.ToImmutableArray()) { Hooks = hooks };
    }

    private static RuleError Error(string origin, string message)
    {
        var colon = origin.LastIndexOf(':');
        return new RuleError(origin[..colon], int.Parse(origin[(colon + 1)..], CultureInfo.InvariantCulture), message);
    }

    private static List<Rule> LoadText(string file, string text, HookSet hooks, List<RuleError> errors)
    {
        var rules = new List<Rule>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            errors.Add(new RuleError(file, (int)exception.Start.Line, FirstLine(exception.InnerException?.Message ?? exception.Message)));
            return rules;
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's parser throws these on some malformed streams (found by the fuzz suite; ArgumentException
            // "The current event is of an unsupported type" once rules/platform.yaml joined the corpus): still bad input.
            errors.Add(new RuleError(file, 0, $"not readable as YAML ({FirstLine(exception.Message)})"));
            return rules;
        }
        if (stream.Documents.Count == 0)
        {
            return rules;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root || !TryGet(root, "rules", out var rulesNode))
        {
            errors.Add(new RuleError(file, Line(stream.Documents[0].RootNode), "expected a top-level 'rules:' list"));
            return rules;
        }
        if (rulesNode is not YamlSequenceNode list)
        {
            errors.Add(new RuleError(file, Line(rulesNode), "'rules' must be a list"));
            return rules;
        }
        foreach (var item in list)
        {
            if (item is not YamlMappingNode mapping)
            {
                errors.Add(new RuleError(file, Line(item), "each rule must be a mapping"));
                continue;
            }
            var rule = ReadRule(file, mapping, hooks, errors);
            if (rule is not null)
            {
                rules.Add(rule);
            }
        }
        return rules;
    }

    private static Rule? ReadRule(string file, YamlMappingNode node, HookSet hooks, List<RuleError> errors)
    {
        var errorCount = errors.Count;
        void Fail(YamlNode at, string message) => errors.Add(new RuleError(file, Line(at), message));

        foreach (var key in node.Children.Keys)
        {
            if (!RuleKeys.Contains(Scalar(key) ?? string.Empty))
            {
                Fail(key, $"unknown rule key '{Scalar(key)}' (known: {string.Join(", ", RuleKeys.OrderBy(k => k, StringComparer.Ordinal))})");
            }
        }

        var id = RequiredScalar(node, "id", Fail);
        var label = id is null ? "rule" : $"rule '{id}'";
        if (id is not null && !IsValidId(id))
        {
            Fail(node, $"{label}: id must be lower-case words joined by '.', '-' or '_'");
        }
        var categoryText = RequiredScalar(node, "category", Fail);
        var category = FindingCategory.Instruction;
        if (categoryText is not null && !ModelNames.TryParseCategory(categoryText, out category))
        {
            Fail(node["category"], $"{label}: category must be instruction, page-table, driver-api or platform, not '{categoryText}'");
        }
        var title = RequiredScalar(node, "title", Fail);
        var description = RequiredScalar(node, "description", Fail);
        var arch = TryGet(node, "arch", out var archNode) ? Scalar(archNode) : "any";
        if (arch is null || !Arches.Contains(arch))
        {
            Fail(archNode ?? node, $"{label}: arch must be x86, arm64 or any");
        }
        var @class = TryGet(node, "class", out var classNode) ? Scalar(classNode) : null;
        var weight = 1.0;
        if (TryGet(node, "weight", out var weightNode) &&
            !(double.TryParse(Scalar(weightNode), NumberStyles.Float, CultureInfo.InvariantCulture, out weight) && weight >= 0))
        {
            Fail(weightNode, $"{label}: weight must be a non-negative number");
        }

        var match = RuleMatch.Empty;
        if (!TryGet(node, "match", out var matchNode) || matchNode is not YamlMappingNode matchMapping)
        {
            Fail(matchNode ?? node, $"{label}: 'match' must be a mapping of matcher keys");
        }
        else
        {
            var values = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in matchMapping.Children)
            {
                var key = Scalar(keyNode) ?? string.Empty;
                if (!RuleMatch.KnownKeys.Contains(key))
                {
                    Fail(keyNode, $"{label}: unknown match key '{key}' (known: {string.Join(", ", RuleMatch.KnownKeys.OrderBy(k => k, StringComparer.Ordinal))})");
                    continue;
                }
                var items = StringList(valueNode);
                if (items is null || items.Value.IsEmpty)
                {
                    Fail(valueNode, $"{label}: match key '{key}' needs a string or a non-empty list of strings");
                    continue;
                }
                values[key] = items.Value;
            }
            if (values.Count == 0 && errors.Count == errorCount)
            {
                Fail(matchNode, $"{label}: 'match' is empty");
            }
            match = new RuleMatch(values.ToImmutable());
        }

        var targets = ImmutableSortedDictionary.CreateBuilder<XenTarget, TargetGuidance>();
        if (!TryGet(node, "targets", out var targetsNode) || targetsNode is not YamlMappingNode targetsMapping)
        {
            Fail(targetsNode ?? node, $"{label}: 'targets' must map xen-pv, xen-pvh and xen-hvm to a severity and an action");
        }
        else
        {
            foreach (var (target, name, valueNode) in Targets(targetsMapping, label, Fail))
            {
                if (valueNode is not YamlMappingNode guidance)
                {
                    Fail(valueNode, $"{label}: target '{name}' needs 'severity' and 'action'");
                    continue;
                }
                foreach (var guidanceKey in guidance.Children.Keys)
                {
                    if (Scalar(guidanceKey) is not ("severity" or "action"))
                    {
                        Fail(guidanceKey, $"{label}: unknown key '{Scalar(guidanceKey)}' under target '{name}' (known: severity, action)");
                    }
                }
                var severityText = RequiredScalar(guidance, "severity", Fail, $"{label}, target '{name}'");
                var action = RequiredScalar(guidance, "action", Fail, $"{label}, target '{name}'");
                var severity = Severity.Note;
                if (severityText is not null && !ModelNames.TryParseSeverity(severityText, out severity))
                {
                    Fail(guidance["severity"], $"{label}: severity must be error, warning or note, not '{severityText}'");
                }
                if (action is not null)
                {
                    targets[target] = new TargetGuidance(severity, action);
                }
            }
            foreach (var target in ModelNames.AllTargets)
            {
                if (!targets.ContainsKey(target) && errors.Count == errorCount)
                {
                    Fail(targetsNode, $"{label}: target '{target.Name()}' is missing");
                }
            }
        }

        var references = ImmutableArray<string>.Empty;
        if (TryGet(node, "references", out var referencesNode))
        {
            var list = StringList(referencesNode);
            if (list is null)
            {
                Fail(referencesNode, $"{label}: references must be a list of strings");
            }
            else
            {
                references = list.Value;
            }
        }

        RuleOperation? operation = null;
        if (TryGet(node, "operation", out var operationNode) && errors.Count == errorCount)
        {
            operation = ReadOperation(operationNode, label, match, hooks, Fail);
        }

        RuleReadiness? readiness = null;
        if (TryGet(node, "readiness", out var readinessNode))
        {
            readiness = ReadReadiness(readinessNode, label, Fail);
        }
        else if (category == FindingCategory.Platform && errors.Count == errorCount)
        {
            Fail(node, $"{label}: a platform rule needs 'readiness' (item, verdict, per)");
        }

        if (errors.Count != errorCount)
        {
            return null;
        }
        return new Rule
        {
            Id = id!,
            Category = category,
            Title = title!,
            Description = description!.Trim(),
            Arch = arch!,
            Class = @class,
            Match = match,
            Targets = targets.ToImmutable(),
            Weight = weight,
            References = references,
            Operation = operation,
            Readiness = readiness,
            Origin = $"{file}:{Line(node)}",
        };
    }

    /// <summary>`readiness: { item: TEXT, verdict: blocking|needs-shim|needs-driver|works-emulated, per: site|rule }`.</summary>
    private static RuleReadiness? ReadReadiness(YamlNode node, string label, Action<YamlNode, string> fail)
    {
        if (node is not YamlMappingNode mapping)
        {
            fail(node, $"{label}: readiness must be a mapping with item, verdict and per");
            return null;
        }
        foreach (var key in mapping.Children.Keys)
        {
            if (Scalar(key) is not ("item" or "verdict" or "per"))
            {
                fail(key, $"{label}: unknown key '{Scalar(key)}' under readiness (known: item, per, verdict)");
            }
        }
        var item = TryGet(mapping, "item", out var itemNode) ? Scalar(itemNode) : null;
        var verdict = TryGet(mapping, "verdict", out var verdictNode) ? Scalar(verdictNode) : null;
        var per = TryGet(mapping, "per", out var perNode) ? Scalar(perNode) : "rule";
        if (string.IsNullOrWhiteSpace(item))
        {
            fail(itemNode ?? node, $"{label}: readiness needs an 'item'");
            return null;
        }
        if (verdict is null || !Finding.Verdicts.Contains(verdict))
        {
            fail(verdictNode ?? node, $"{label}: readiness verdict must be {string.Join(", ", Finding.Verdicts)}, not '{verdict}'");
            return null;
        }
        if (per is not ("site" or "rule"))
        {
            fail(perNode ?? node, $"{label}: readiness 'per' must be site or rule, not '{per}'");
            return null;
        }
        return new RuleReadiness(item.Trim(), verdict, per == "site");
    }

    /// <summary>Match keys whose values name what a site matched (the keys an operation mapping may use).</summary>
    private static readonly ImmutableArray<string> ItemKeys = ["mnemonics", "writes", "reads", "operands", "functions", "macros", "builtins"];

    /// <summary>
    /// `operation: hook-id`, `operation: emitted` (builtin and encoding rules), or a mapping from matched items to
    /// hooks with `*` for the rest. A mapping key must be one of the rule's match values or a name one of its globs
    /// matches; without `*`, the keys must cover every value of each match list they come from.
    /// </summary>
    private static RuleOperation? ReadOperation(YamlNode node, string label, RuleMatch match, HookSet hooks, Action<YamlNode, string> fail)
    {
        bool Known(YamlNode at, string hook)
        {
            if (hooks.Contains(hook))
            {
                return true;
            }
            fail(at, $"{label}: operation '{hook}' is not a hook of rules/hooks.yaml");
            return false;
        }

        if (node is YamlScalarNode { Value: { Length: > 0 } single })
        {
            if (single == RuleOperation.EmittedKeyword)
            {
                if (match["emits"].IsEmpty && match["encodings"].IsEmpty)
                {
                    fail(node, $"{label}: operation 'emitted' needs a rule that matches 'emits' or 'encodings'");
                    return null;
                }
                return RuleOperation.Emitted;
            }
            return Known(node, single) ? RuleOperation.Single(single) : null;
        }
        if (node is not YamlMappingNode mapping || mapping.Children.Count == 0)
        {
            fail(node, $"{label}: operation must be a hook id, 'emitted', or a mapping of matched items to hook ids");
            return null;
        }

        var byItem = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        var ok = true;
        var values = ItemKeys.SelectMany(key => match[key].Select(value => (Key: key, Value: value))).ToList();
        var exactKeys = new HashSet<string>(StringComparer.Ordinal);
        var needsDefault = false;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var item = Scalar(keyNode) ?? string.Empty;
            var hook = Scalar(valueNode);
            if (string.IsNullOrEmpty(hook))
            {
                fail(valueNode, $"{label}: operation for '{item}' must be a hook id");
                ok = false;
                continue;
            }
            ok &= Known(valueNode, hook);
            if (item != RuleOperation.Default)
            {
                var exact = values.Where(v => string.Equals(v.Value, item, StringComparison.OrdinalIgnoreCase)).ToList();
                if (exact.Count > 0)
                {
                    exactKeys.UnionWith(exact.Select(v => v.Key));
                }
                else if (values.Any(v => Glob(v.Value, item)))
                {
                    needsDefault = true;
                }
                else
                {
                    fail(keyNode, $"{label}: operation key '{item}' is not one of the rule's match values");
                    ok = false;
                    continue;
                }
            }
            if (!byItem.TryAdd(item, hook))
            {
                fail(keyNode, $"{label}: operation key '{item}' appears twice");
                ok = false;
            }
        }
        if (ok && !byItem.ContainsKey(RuleOperation.Default))
        {
            var uncovered = values.FirstOrDefault(v => exactKeys.Contains(v.Key) && !byItem.ContainsKey(v.Value));
            if (needsDefault || uncovered.Value is not null)
            {
                fail(mapping, $"{label}: operation needs a '*' entry for the items it does not name" +
                    (uncovered.Value is null ? string.Empty : $" (such as '{uncovered.Value}')"));
                ok = false;
            }
        }
        return ok ? new RuleOperation { ByItem = byItem.ToImmutable() } : null;
    }

    /// <summary>Whether a match value written as a glob (`*_el1`, `dr[0-7]`) matches <paramref name="name"/>.</summary>
    private static bool Glob(string pattern, string name)
    {
        if (pattern.IndexOfAny(['*', '?', '[']) < 0)
        {
            return false;
        }
        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern)
            .Replace(@"\*", ".*", StringComparison.Ordinal)
            .Replace(@"\?", ".", StringComparison.Ordinal)
            .Replace(@"\[", "[", StringComparison.Ordinal)
            .Replace(@"\]", "]", StringComparison.Ordinal) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(name, regex, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }

    private static bool IsValidId(string id) =>
        id.Length > 0 && char.IsAsciiLetterLower(id[0]) &&
        id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_');

    private static string? RequiredScalar(YamlMappingNode node, string key, Action<YamlNode, string> fail, string? label = null)
    {
        var owner = label ?? (TryGet(node, "id", out var idNode) && Scalar(idNode) is { } id ? $"rule '{id}'" : "rule");
        if (!TryGet(node, key, out var value))
        {
            fail(node, $"{owner}: missing '{key}'");
            return null;
        }
        var text = Scalar(value);
        if (string.IsNullOrWhiteSpace(text))
        {
            fail(value, $"{owner}: '{key}' must be a non-empty string");
            return null;
        }
        return text;
    }

}
