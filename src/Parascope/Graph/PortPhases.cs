using System.Collections.Immutable;
using Parascope.Model;
using YamlDotNet.RepresentationModel;

namespace Parascope.Graph;

/// <summary>
/// The phases of a port (rules/entry-points.yaml) and the assignment of each finding's function to the first
/// phase whose entry points reach it within <see cref="MaxDepth"/> calls.
/// </summary>
public sealed class PortPhases
{
    public const string ResourceName = "rules/entry-points.yaml";

    public ImmutableArray<PortPhase> Phases { get; }
    public int MaxDepth { get; }
    public ImmutableHashSet<string> StopAt { get; }
    public ImmutableDictionary<FindingCategory, string> Fallback { get; }

    private PortPhases(ImmutableArray<PortPhase> phases, int maxDepth, ImmutableHashSet<string> stopAt,
        ImmutableDictionary<FindingCategory, string> fallback)
    {
        Phases = phases;
        MaxDepth = maxDepth;
        StopAt = stopAt;
        Fallback = fallback;
    }

    /// <summary>The phases compiled into the engine.</summary>
    public static PortPhases BuiltIn()
    {
        using var stream = typeof(PortPhases).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in the engine");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Parses the phase file; it ships with the engine, so a malformed one is a bug and throws.</summary>
    public static PortPhases Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var maxDepth = int.Parse(((YamlScalarNode)root["max-depth"]).Value!, System.Globalization.CultureInfo.InvariantCulture);
        var stopAt = ((YamlSequenceNode)root["stop-at"]).Select(n => ((YamlScalarNode)n).Value!).ToImmutableHashSet(StringComparer.Ordinal);
        var phases = ((YamlSequenceNode)root["phases"]).Cast<YamlMappingNode>().Select(node => new PortPhase(
            ((YamlScalarNode)node["name"]).Value!,
            ((YamlScalarNode)node["description"]).Value!.Trim(),
            ((YamlSequenceNode)node["entry-points"]).Select(n => ((YamlScalarNode)n).Value!).ToImmutableArray())).ToImmutableArray();
        var fallback = ((YamlMappingNode)root["fallback"]).Children.ToImmutableDictionary(
            pair => ModelNames.TryParseCategory(((YamlScalarNode)pair.Key).Value!, out var category)
                ? category
                : throw new InvalidOperationException($"unknown category in {ResourceName}: {pair.Key}"),
            pair => ((YamlScalarNode)pair.Value).Value!);
        var names = phases.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (fallback.Values.FirstOrDefault(name => !names.Contains(name)) is { } unknown)
        {
            throw new InvalidOperationException($"{ResourceName}: fallback phase '{unknown}' is not defined");
        }
        return new PortPhases(phases, maxDepth, stopAt, fallback);
    }

    /// <summary>
    /// The first phase reaching each function: breadth-first from each phase's entry points, at most
    /// <see cref="MaxDepth"/> calls deep, not through <see cref="StopAt"/> hubs. Earlier phases win.
    /// </summary>
    public ImmutableDictionary<string, string> Assign(CallGraph graph)
    {
        var phaseOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var phase in Phases)
        {
            // An entry point is named as written in C; a static one is found by name (its node is "name@file").
            var frontier = phase.EntryPoints.Select(name => graph.Resolve(name)).OfType<string>().ToList();
            var seen = new HashSet<string>(frontier, StringComparer.Ordinal);
            for (var depth = 0; frontier.Count > 0 && depth <= MaxDepth; depth++)
            {
                var next = new List<string>();
                foreach (var function in frontier)
                {
                    phaseOf.TryAdd(function, phase.Name);
                    if (StopAt.Contains(CallGraph.BaseName(function)))
                    {
                        continue;
                    }
                    next.AddRange(graph.Callees(function).Where(seen.Add));
                }
                frontier = next;
            }
        }
        return phaseOf.ToImmutableDictionary(StringComparer.Ordinal);
    }

    /// <summary>The phase of a finding: its function's, else its category's fallback.</summary>
    public string PhaseOf(Finding finding, IReadOnlyDictionary<string, string> assigned) =>
        finding.GraphNode is { } function && assigned.TryGetValue(function, out var phase) && finding.Category != FindingCategory.DriverApi
            ? phase
            : Fallback[finding.Category];
}
