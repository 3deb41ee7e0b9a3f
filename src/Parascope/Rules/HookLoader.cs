using System.Collections.Immutable;
using Parascope.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static Parascope.Rules.YamlValues;

namespace Parascope.Rules;

/// <summary>
/// Reads rules/hooks.yaml: `layers:` (abstraction layers a kernel already has) and `hooks:` (one entry per operation
/// a port replaces). Every problem becomes a <see cref="RuleError"/> with file and line, as for rules.
/// </summary>
public static class HookLoader
{
    public const string FileName = "hooks.yaml";
    public const string ResourceName = "rules/hooks.yaml";
    private const string PhasesResourceName = "rules/entry-points.yaml";

    private static readonly ImmutableHashSet<string> HookKeys = ImmutableHashSet.Create(
        "id", "title", "description", "phase", "action", "xen", "linux", "netbsd", "minios", "existing-layers");
    private static readonly ImmutableHashSet<string> LayerKeys = ImmutableHashSet.Create("id", "title", "headers", "since");
    private static readonly ImmutableHashSet<string> TopKeys = ImmutableHashSet.Create("layers", "hooks");

    public sealed record Result(HookSet Hooks, ImmutableArray<RuleError> Errors);

    private static readonly Lazy<Result> BuiltInResult = new(() =>
        LoadText(ResourceName, ReadResource(ResourceName), BuiltInPhases()));

    /// <summary>The hook table compiled into the engine.</summary>
    public static Result LoadBuiltIn() => BuiltInResult.Value;

    /// <summary>
    /// The phase names of rules/entry-points.yaml, read here rather than through the Graph stage so that the Rules
    /// stage does not depend on a later one.
    /// </summary>
    public static ImmutableHashSet<string> BuiltInPhases()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(ReadResource(PhasesResourceName)));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return ((YamlSequenceNode)root["phases"]).Cast<YamlMappingNode>()
            .Select(node => ((YamlScalarNode)node["name"]).Value!)
            .ToImmutableHashSet(StringComparer.Ordinal);
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(HookLoader).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in the engine");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Parses one hooks file; <paramref name="phases"/> are the phase names a hook may name.</summary>
    public static Result LoadText(string file, string text, IReadOnlySet<string> phases)
    {
        var errors = new List<RuleError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            errors.Add(new RuleError(file, (int)exception.Start.Line, FirstLine(exception.InnerException?.Message ?? exception.Message)));
            return new Result(HookSet.Empty, [.. errors]);
        }
        catch (InvalidOperationException exception)
        {
            // YamlDotNet's parser throws this on some malformed streams (found by the fuzz suite): still bad input.
            errors.Add(new RuleError(file, 0, $"not readable as YAML ({FirstLine(exception.Message)})"));
            return new Result(HookSet.Empty, [.. errors]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root || !TryGet(root, "hooks", out var hooksNode))
        {
            var at = stream.Documents.Count == 0 ? 1 : Line(stream.Documents[0].RootNode);
            errors.Add(new RuleError(file, at, "expected a top-level 'hooks:' list"));
            return new Result(HookSet.Empty, [.. errors]);
        }
        foreach (var key in root.Children.Keys)
        {
            if (!TopKeys.Contains(Scalar(key) ?? string.Empty))
            {
                errors.Add(new RuleError(file, Line(key), $"unknown top-level key '{Scalar(key)}' (known: hooks, layers)"));
            }
        }

        var layers = new List<HookLayer>();
        if (TryGet(root, "layers", out var layersNode))
        {
            if (layersNode is not YamlSequenceNode layerList)
            {
                errors.Add(new RuleError(file, Line(layersNode), "'layers' must be a list"));
            }
            else
            {
                foreach (var item in layerList)
                {
                    if (ReadLayer(file, item, errors) is { } layer)
                    {
                        if (layers.Any(l => l.Id == layer.Id))
                        {
                            errors.Add(new RuleError(file, Line(item), $"duplicate layer id '{layer.Id}'"));
                            continue;
                        }
                        layers.Add(layer);
                    }
                }
            }
        }
        var layerIds = layers.Select(l => l.Id).ToImmutableHashSet(StringComparer.Ordinal);

        var hooks = new List<Hook>();
        if (hooksNode is not YamlSequenceNode hookList)
        {
            errors.Add(new RuleError(file, Line(hooksNode), "'hooks' must be a list"));
        }
        else
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in hookList)
            {
                if (ReadHook(file, item, phases, layerIds, errors) is not { } hook)
                {
                    continue;
                }
                if (seen.TryGetValue(hook.Id, out var first))
                {
                    errors.Add(new RuleError(file, Line(item), $"duplicate hook id '{hook.Id}' (first defined at {first})"));
                    continue;
                }
                seen[hook.Id] = hook.Origin;
                hooks.Add(hook);
            }
        }
        return new Result(new HookSet(hooks, layers), [.. errors]);
    }

    private static HookLayer? ReadLayer(string file, YamlNode item, List<RuleError> errors)
    {
        if (item is not YamlMappingNode node)
        {
            errors.Add(new RuleError(file, Line(item), "each layer must be a mapping"));
            return null;
        }
        var count = errors.Count;
        void Fail(YamlNode at, string message) => errors.Add(new RuleError(file, Line(at), message));
        UnknownKeys(node, LayerKeys, "layer", Fail);
        var id = Required(node, "id", "layer", Fail);
        var title = Required(node, "title", $"layer '{id}'", Fail);
        var headers = OptionalList(node, "headers", $"layer '{id}'", Fail);
        var since = TryGet(node, "since", out var sinceNode) ? Scalar(sinceNode) : null;
        if (id is not null && !IsValidId(id))
        {
            Fail(node, $"layer '{id}': id must be lower-case words joined by '-'");
        }
        return errors.Count != count ? null : new HookLayer
        {
            Id = id!,
            Title = title!,
            Headers = headers,
            Since = since,
            Origin = $"{file}:{Line(node)}",
        };
    }

    private static Hook? ReadHook(string file, YamlNode item, IReadOnlySet<string> phases,
        ImmutableHashSet<string> layerIds, List<RuleError> errors)
    {
        if (item is not YamlMappingNode node)
        {
            errors.Add(new RuleError(file, Line(item), "each hook must be a mapping"));
            return null;
        }
        var count = errors.Count;
        void Fail(YamlNode at, string message) => errors.Add(new RuleError(file, Line(at), message));
        UnknownKeys(node, HookKeys, "hook", Fail);

        var id = Required(node, "id", "hook", Fail);
        var label = id is null ? "hook" : $"hook '{id}'";
        if (id is not null && !IsValidId(id))
        {
            Fail(node, $"{label}: id must be lower-case words joined by '-'");
        }
        var title = Required(node, "title", label, Fail);
        var phase = Required(node, "phase", label, Fail);
        if (phase is not null && !phases.Contains(phase))
        {
            Fail(node["phase"], $"{label}: phase '{phase}' is not a phase of rules/entry-points.yaml (known: {string.Join(", ", phases.Order(StringComparer.Ordinal))})");
        }

        var actions = ImmutableSortedDictionary.CreateBuilder<XenTarget, string>();
        if (!TryGet(node, "action", out var actionNode) || actionNode is not YamlMappingNode actionMap)
        {
            Fail(actionNode ?? node, $"{label}: 'action' must map xen-pv, xen-pvh and xen-hvm to what the hook does there");
        }
        else
        {
            foreach (var (target, name, valueNode) in Targets(actionMap, label, Fail))
            {
                if (string.IsNullOrWhiteSpace(Scalar(valueNode)))
                {
                    Fail(valueNode, $"{label}: the action for '{name}' must be a non-empty string");
                    continue;
                }
                actions[target] = Scalar(valueNode)!.Trim();
            }
            foreach (var target in ModelNames.AllTargets.Where(t => !actions.ContainsKey(t)))
            {
                Fail(KeyOf(node, "action") ?? actionNode, $"{label}: action for target '{target.Name()}' is missing");
            }
        }

        var xen = OptionalList(node, "xen", label, Fail);
        if (xen.IsEmpty)
        {
            Fail(node, $"{label}: 'xen' must cite at least one hypercall or shared structure of Xen's public headers");
        }
        var linux = OptionalList(node, "linux", label, Fail);
        var netbsd = OptionalList(node, "netbsd", label, Fail);
        var minios = OptionalList(node, "minios", label, Fail);

        var existing = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
        if (TryGet(node, "existing-layers", out var layersNode))
        {
            if (layersNode is not YamlMappingNode layerMap)
            {
                Fail(layersNode, $"{label}: 'existing-layers' must map a layer id to a list of its functions");
            }
            else
            {
                foreach (var (keyNode, valueNode) in layerMap.Children)
                {
                    var layer = Scalar(keyNode) ?? string.Empty;
                    if (!layerIds.Contains(layer))
                    {
                        Fail(keyNode, $"{label}: layer '{layer}' is not declared under 'layers'");
                        continue;
                    }
                    var functions = StringList(valueNode);
                    if (functions is null || functions.Value.IsEmpty)
                    {
                        Fail(valueNode, $"{label}: layer '{layer}' needs a non-empty list of function names");
                        continue;
                    }
                    existing[layer] = functions.Value;
                }
            }
        }

        return errors.Count != count ? null : new Hook
        {
            Id = id!,
            Title = title!,
            Phase = phase!,
            Actions = actions.ToImmutable(),
            Xen = xen,
            Linux = linux,
            NetBsd = netbsd,
            MiniOs = minios,
            ExistingLayers = existing.ToImmutable(),
            Origin = $"{file}:{Line(node)}",
        };
    }

    private static void UnknownKeys(YamlMappingNode node, ImmutableHashSet<string> known, string what, Action<YamlNode, string> fail)
    {
        foreach (var key in node.Children.Keys)
        {
            if (!known.Contains(Scalar(key) ?? string.Empty))
            {
                fail(key, $"unknown {what} key '{Scalar(key)}' (known: {string.Join(", ", known.Order(StringComparer.Ordinal))})");
            }
        }
    }

    private static string? Required(YamlMappingNode node, string key, string owner, Action<YamlNode, string> fail)
    {
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
        return text.Trim();
    }

    private static ImmutableArray<string> OptionalList(YamlMappingNode node, string key, string owner, Action<YamlNode, string> fail)
    {
        if (!TryGet(node, key, out var value))
        {
            return [];
        }
        if (value is YamlSequenceNode { Children.Count: 0 })
        {
            return [];
        }
        var list = StringList(value);
        if (list is null)
        {
            fail(value, $"{owner}: '{key}' must be a list of strings");
            return [];
        }
        return list.Value;
    }

    internal static bool IsValidId(string id) =>
        id.Length > 0 && char.IsAsciiLetterLower(id[0]) && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static YamlNode? KeyOf(YamlMappingNode node, string key) =>
        node.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: var name } && name == key);

}
