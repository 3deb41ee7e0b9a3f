using System.Collections.Immutable;
using Parascope.Model;
using YamlDotNet.RepresentationModel;

namespace Parascope.Rules;

/// <summary>How the rule and hook files' YAML is read, once for both loaders: keys, scalars, string lists, lines.</summary>
internal static class YamlValues
{
    /// <summary>A map keyed by Xen target (a rule's `targets`, a hook's `action`): each known target with its value; an unknown key fails.</summary>
    public static IEnumerable<(XenTarget Target, string Name, YamlNode Value)> Targets(YamlMappingNode map, string label, Action<YamlNode, string> fail)
    {
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var name = Scalar(keyNode) ?? string.Empty;
            if (!ModelNames.TryParseTarget(name, out var target))
            {
                fail(keyNode, $"{label}: unknown target '{name}' (known: xen-pv, xen-pvh, xen-hvm)");
                continue;
            }
            yield return (target, name, valueNode);
        }
    }

    public static ImmutableArray<string>? StringList(YamlNode node)
    {
        if (node is YamlScalarNode scalar)
        {
            return string.IsNullOrEmpty(scalar.Value) ? null : [scalar.Value];
        }
        if (node is YamlSequenceNode sequence)
        {
            var builder = ImmutableArray.CreateBuilder<string>();
            foreach (var item in sequence)
            {
                if (item is not YamlScalarNode { Value: { Length: > 0 } value })
                {
                    return null;
                }
                builder.Add(value);
            }
            return builder.ToImmutable();
        }
        return null;
    }

    public static bool TryGet(YamlMappingNode node, string key, out YamlNode value)
    {
        foreach (var (k, v) in node.Children)
        {
            if (k is YamlScalarNode { Value: var name } && name == key)
            {
                value = v;
                return true;
            }
        }
        value = null!;
        return false;
    }

    public static string? Scalar(YamlNode? node) => node is YamlScalarNode scalar ? scalar.Value : null;

    public static int Line(YamlNode node) => (int)node.Start.Line;

    public static string FirstLine(string text)
    {
        var newline = text.IndexOf('\n');
        return newline < 0 ? text : text[..newline];
    }
}
