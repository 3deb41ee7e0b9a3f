using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Parascope.Clang;
using Parascope.Detectors;
using Parascope.Discovery;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Planning;
using Parascope.Results;
using Parascope.Rules;

namespace Parascope;

/// <summary>Everything a scan is asked to do; the CLI fills it from options.</summary>
public sealed record ScanRequest
{
    public required string Root { get; init; }
    public ImmutableArray<string> Arches { get; init; } = [Architecture.Default.Name];
    public XenTarget Target { get; init; } = XenTarget.XenPv;
    public string? Profile { get; init; }
    public string? CompileCommands { get; init; }
    /// <summary>The machine (board) configuration to parse with; null: the tree's own default.</summary>
    public string? MachineConfig { get; init; }
    public string? RulesDirectory { get; init; }
    public int Jobs { get; init; } = Environment.ProcessorCount;
    public bool ActiveOnly { get; init; }
    public bool IncludeUnits { get; init; }
    /// <summary>Scan only shard K of N (1-based K), chosen deterministically by unit path.</summary>
    public (int Index, int Count)? Shard { get; init; }
    public string? CacheDirectory { get; init; }
    /// <summary>Told the number of units done, out of the total, as units finish.</summary>
    public Action<int, int>? Progress { get; init; }
    /// <summary>Report the real wall time in DurationMs; off by default so that the same scan gives the same bytes.</summary>
    public bool Timings { get; init; }
    /// <summary>Suppressions file; null: <see cref="Suppressions.DefaultFileName"/> at the root, when there is one.</summary>
    public string? IgnoreFile { get; init; }
    /// <summary>An earlier JSON report: findings are marked new or unchanged by fingerprint, fixed ones counted.</summary>
    public string? Baseline { get; init; }
    /// <summary>A unit still being read after this long is abandoned and reported failed (`timeout`); infinite: no limit.</summary>
    public TimeSpan UnitTimeout { get; init; } = DefaultUnitTimeout;

    public static readonly TimeSpan DefaultUnitTimeout = TimeSpan.FromSeconds(300);
}

/// <summary>The scan's result, or a one-line reason it could not run (bad input: exit 2).</summary>
public sealed record ScanOutcome(ScanResult? Result, InputError? Error)
{
    public static ScanOutcome Failure(InputError error) => new(null, error);

    public static ScanOutcome Failure(string error) => new(null, new InputError(error));
}

/// <summary>
/// discover → parse (in parallel, each unit once, one walk) → detect → merge → graph → results (suppressions, baseline).
/// Every input is checked before the work starts; no stage reaches back.
/// </summary>
public static class ScanPipeline
{
    public static string ToolVersion =>
        typeof(ScanPipeline).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    public static ScanOutcome Run(ScanRequest request)
    {
        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(request.Root).TrimEnd('/');
        if (root.Length == 0)
        {
            root = "/";
        }
        foreach (var arch in request.Arches)
        {
            if (Architecture.Find(arch) is null)
            {
                return ScanOutcome.Failure($"unknown arch '{arch}' (known: {string.Join(", ", Architecture.Names)})");
            }
        }
        var rules = RuleLoader.LoadWith(request.RulesDirectory);
        if (rules.Error is { } ruleError)
        {
            return ScanOutcome.Failure(ruleError);
        }
        var ruleSet = new RuleSet(rules.Rules);
        var ignores = IgnoreEntries(request, root);
        if (ignores.Error is { } ignoreError)
        {
            return ScanOutcome.Failure(ignoreError);
        }
        var baseline = request.Baseline is null ? default : Baseline.Load(request.Baseline);
        if (baseline.Error is { } baselineError)
        {
            return ScanOutcome.Failure(baselineError);
        }
        if (Libclang.Load() is { } clangError)
        {
            return ScanOutcome.Failure(clangError);
        }
        var resources = ResourceDirectory.Locate();
        if (resources.Error is { } resourceError)
        {
            return ScanOutcome.Failure(resourceError);
        }

        var discovery = UnitDiscovery.Discover(new DiscoveryRequest
        {
            Root = root,
            Arches = request.Arches,
            Profile = request.Profile,
            CompileCommands = request.CompileCommands,
            CacheDirectory = request.CacheDirectory ?? DefaultCacheDirectory(),
            ResourceDirectory = resources.Value,
            MachineConfig = request.MachineConfig,
        });
        if (discovery.Error is not null)
        {
            return ScanOutcome.Failure(discovery.Error);
        }
        var warnings = discovery.Warnings;
        if (discovery.Units.IsEmpty)
        {
            var files = discovery.Files ?? FileInventory.Empty(root);
            if (!files.RelativePaths.Any(f => SourceFiles.LanguageOf(f) is not null || f.EndsWith(".h", StringComparison.Ordinal)))
            {
                return ScanOutcome.Failure($"{root}: no C, C++ or assembly sources under this folder");
            }
            warnings = warnings.Add($"{root}: no compilation units found ({discovery.Profile} profile); only headers were read, lexically");
        }
        // Each unit keeps its rank in the whole discovery: a shard's graph says which definition came first.
        var ranked = discovery.Units.Select((unit, rank) => (Unit: unit, Rank: rank))
            .Where(u => request.Shard is not { } shard || ShardOf(u.Unit.RelativePath, shard.Count) == shard.Index - 1)
            .ToList();
        var units = ranked.Select(u => u.Unit).ToImmutableArray();

        var detectors = DetectorRegistry.All(ruleSet);
        ImmutableArray<ICollectorSource> sources = [.. detectors, new CallGraphSource()];
        var texts = new SourceTexts();
        var reach = new FunctionReach();
        var parsed = ParseAll(units, sources, root, texts, reach, request, discovery.Overlays);
        var timedOut = parsed.Where(p => p.Errors.Length > 0 && p.Errors[0].Message.StartsWith(UnitParser.TimeoutReason, StringComparison.Ordinal)).ToList();
        if (timedOut.Count > 0)
        {
            warnings = warnings.Add($"{timedOut.Count} units abandoned after --unit-timeout {request.UnitTimeout.TotalSeconds:0.###} s and reported failed " +
                                    $"(e.g. {timedOut[0].Unit.RelativePath} for {timedOut[0].Unit.Arch})");
        }

        var context = new DetectionContext
        {
            Root = root,
            Rules = ruleSet,
            Target = request.Target,
            Units = parsed,
            Texts = texts,
            Reach = reach,
            Files = discovery.Files ?? FileInventory.Empty(root),
        };
        var sink = new FindingSink();
        foreach (var detector in detectors)
        {
            detector.Detect(context, sink);
        }
        var merged = FindingMerger.Merge(sink.Findings.Where(f => !request.ActiveOnly || f.Active), reach.Snapshot());
        var graph = CallGraph.Build(parsed, [.. ranked.Select(u => u.Rank)]);
        var phases = PortPhases.BuiltIn();
        var findings = CallGraphImpact.Annotate(merged, graph, phases);

        var result = new ScanResult
        {
            ToolVersion = ToolVersion,
            Root = root,
            Arches = request.Arches,
            Target = request.Target,
            Profile = discovery.Profile,
            MachineConfigs = [.. discovery.MachineConfigs.Select(m => new MachineConfigChoice(m.Arch, m.Name, m.Source, m.Defines))],
            Health = ParseHealthSummary.From(parsed, request.IncludeUnits),
            DurationMs = request.Timings ? clock.ElapsedMilliseconds : 0,
            Findings = findings,
            CallGraph = graph,
            ShardGraph = request.Shard is null ? null : graph.ToData(),
            Phases = phases.Phases,
            Warnings = warnings,
            Shard = request.Shard is { } s ? $"{s.Index}/{s.Count}" : null,
            RulesDigest = rules.Digest,
            Drivers = Detectors.DriverApi.DriverInventory.Build(context, findings),
            Rules = ruleSet.Rules,
            Libclang = new LibclangInfo(LibclangLoader.Version(), LibclangLoader.Origin!),
        };
        result = Suppressions.Apply(result, ignores.Value);
        // After suppressions: a site a team decided to leave is not work the interface counts.
        result = PortInterfaceBuilder.Apply(result, ruleSet, rules.Hooks, graph, phases);
        if (baseline.Value is { } fingerprints)
        {
            result = Baseline.Apply(result, fingerprints);
        }
        return new ScanOutcome(result, null);
    }

    /// <summary>The ignore file the request names, else the root's own when it has one, else none.</summary>
    private static Checked<ImmutableArray<IgnoreEntry>> IgnoreEntries(ScanRequest request, string root)
    {
        var path = request.IgnoreFile ?? Path.Combine(root, Suppressions.DefaultFileName);
        return request.IgnoreFile is not null || File.Exists(path) ? Suppressions.ParseIgnoreFile(path) : Checked<ImmutableArray<IgnoreEntry>>.Of([]);
    }

    private static ImmutableArray<ParsedUnit> ParseAll(ImmutableArray<SourceUnit> units, ImmutableArray<ICollectorSource> sources,
        string root, SourceTexts texts, FunctionReach reach, ScanRequest request,
        ImmutableSortedDictionary<string, string> overlays)
    {
        var results = new ParsedUnit[units.Length];
        if (units.IsEmpty)
        {
            return [];
        }
        var done = 0;
        using var parser = new UnitParser(sources, reach, overlays);
        // Longest units first would balance better, but the order must not change what is reported; it does not:
        // every unit's facts land in its own slot and detection reads them in discovery order.
        Parallel.ForEach(Partitioner.Create(0, units.Length, 1), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Jobs) }, range =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
            {
                var scope = new UnitScope { Unit = units[i], Root = root, Texts = texts };
                results[i] = parser.Parse(scope, request.UnitTimeout);
                request.Progress?.Invoke(Interlocked.Increment(ref done), units.Length);
            }
        });
        return results.ToImmutableArray();
    }

    /// <summary>A stable shard for a path: FNV-1a of its bytes, so every machine splits a tree the same way.</summary>
    public static int ShardOf(string relativePath, int count)
    {
        var hash = 2166136261u;
        foreach (var c in relativePath)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % (uint)count);
    }

    public static string DefaultCacheDirectory()
    {
        var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cacheHome))
        {
            cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }
        return Path.Combine(cacheHome, "parascope");
    }
}
