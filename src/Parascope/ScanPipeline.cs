using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json.Serialization;
using Parascope.Caching;
using Parascope.Clang;
using Parascope.Detectors;
using Parascope.Discovery;
using Parascope.Files;
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
    /// <summary>
    /// The result cache's folder (each unit's facts, reused while the unit, every file it read, its flags, the rules,
    /// the libclang and Parascope are unchanged); null: no result cache. The CLI sets it unless --no-cache.
    /// </summary>
    public string? ResultCache { get; init; }
    /// <summary>Bound of the result cache's size; the least recently used entries go first.</summary>
    public long ResultCacheMaxBytes { get; init; } = Caching.ResultCache.DefaultMaxBytes;
    /// <summary>
    /// With a result cache: reuse the whole scan's result while the tree and every input are unchanged (on by default;
    /// off, every scan goes through the per-unit entries).
    /// </summary>
    public bool ReuseWholeScan { get; init; } = true;
    /// <summary>
    /// Whether a kept whole scan may answer this scan (true), or the scan goes through its units, each still taken from
    /// the result cache, and keeps the whole scan again (false): a watch's first scan, so that its code has run and its
    /// stores are read before the first edit (on xnu-11417 x86_64 the first re-scan of a watch answered from the whole scan
    /// took 1.45 s, the later ones 1.1 s). The same report either way; not part of the scan's identity.
    /// </summary>
    [JsonIgnore]
    public bool TakesWholeScan { get; init; } = true;
    /// <summary>
    /// The whole-scan look-up a supervisor made just before it started this scan and found no reuse for
    /// (<see cref="ScanPipeline.TryReuse"/>'s Missed): when this scan's entry and tree digest are the same, it does not look
    /// again (after an edit, the entry's reading and the tree's contents checked a second time). Not part of the scan's identity.
    /// </summary>
    [JsonIgnore]
    public string? WholeScanMissed { get; init; }
    /// <summary>
    /// The folder where the supervisor that made that look-up left the tree's listing and snapshot it took
    /// (<see cref="Caching.HandedTree"/>): taken instead of listing the tree again, for the same tree and miss.
    /// </summary>
    [JsonIgnore]
    public string? HandedTreeFolder { get; init; }
    /// <summary>Told the number of units done, out of the total, as units finish.</summary>
    [JsonIgnore]
    public Action<int, int>? Progress { get; init; }
    /// <summary>
    /// Parse in worker processes started with this command (scan --isolate), one per job, so that a unit that takes
    /// libclang's process down costs that unit; null: parse in this process. Either way the same report.
    /// </summary>
    [JsonIgnore]
    public Workers.WorkerCommand? ParseWorkers { get; init; }
    /// <summary>
    /// The journal of a supervised scan (<see cref="Workers.ScanSupervisor"/>): each unit is journalled before and after
    /// its parse; units it says crashed the parser are reported failed unparsed, its suspects are parsed first, one at a
    /// time. Null: not supervised. Either way the same report.
    /// </summary>
    [JsonIgnore]
    public Workers.ParseJournal? Journal { get; init; }
    /// <summary>Told units done, total, cached, the rate and the unit parsed longest so far, as units finish.</summary>
    [JsonIgnore]
    public Action<ScanProgress>? ProgressDetail { get; init; }
    /// <summary>
    /// The cache's stores kept decoded between the scans of one process that scans the tree again (`scan --watch`, which
    /// gives each of its scans the same); null: each scan reads them from disk. Either way the same report.
    /// </summary>
    [JsonIgnore]
    public Caching.DecodedStores? DecodedStores { get; init; }
    /// <summary>Report the real wall time in DurationMs; off by default so that the same scan gives the same bytes.</summary>
    public bool Timings { get; init; }
    /// <summary>Suppressions file; null: <see cref="Suppressions.DefaultFileName"/> at the root, when there is one.</summary>
    public string? IgnoreFile { get; init; }
    /// <summary>An earlier JSON report: findings are marked new or unchanged by fingerprint, fixed ones counted.</summary>
    public string? Baseline { get; init; }
    /// <summary>A unit still being read after this long is abandoned and reported failed (`timeout`); infinite: no limit.</summary>
    public TimeSpan UnitTimeout { get; init; } = DefaultUnitTimeout;
    /// <summary>
    /// The other kernel configurations to parse units again in where their conditionals depend on them
    /// (DEVELOPMENT, DEBUG, KASAN): null for every one the tree defines, empty for none (--configurations).
    /// </summary>
    public ImmutableArray<string>? Configurations { get; init; }
    /// <summary>
    /// The other arm64 boards to parse units again for where their conditionals test a macro the board changes
    /// (XNU_MONITOR, CONFIG_SPTM…): null for the tree's defaults (a PPL and an SPTM board), empty for none (--boards).
    /// </summary>
    public ImmutableArray<string>? Boards { get; init; }

    public static readonly TimeSpan DefaultUnitTimeout = TimeSpan.FromSeconds(300);
}

/// <summary>The scan's result, or a one-line reason it could not run (bad input: exit 2).</summary>
public sealed record ScanOutcome(ScanResult? Result, InputError? Error)
{
    /// <summary>Where the time went, and what the result cache did (for --timings and the benchmark; never in a report).</summary>
    public ScanStatistics? Statistics { get; init; }

    /// <summary>The whole-scan entry the scan was answered from or kept in, beside which its stores are (none: no result cache).</summary>
    internal WholeScanCache? WholeScan { get; init; }

    /// <summary>
    /// A watch's scan whose result is made while the cache's writes go on (<see cref="ScanRequest.DecodedStores"/>):
    /// the outcome once they are done, with the whole scan's use in its statistics (this one's say <see cref="WholeScanUse.Off"/>).
    /// </summary>
    internal Task<ScanOutcome>? Finishing { get; init; }

    /// <summary>This outcome once the cache's writes of its scan are done (the next scan of the tree must not start before).</summary>
    public ScanOutcome Finished() => Finishing?.GetAwaiter().GetResult() ?? this;

    public static ScanOutcome Failure(InputError error) => new(null, error);

    public static ScanOutcome Failure(string error) => new(null, new InputError(error));
}

/// <summary>
/// What a supervised scan's look-up found (<see cref="ScanPipeline.TryReuse"/>): OUTCOME when it settles the scan (the kept
/// whole scan, an input error), null when the scan has to run; MISSED, what names the miss (the entry and the tree's
/// snapshot digest) for the scan started next to skip the same look-up (<see cref="ScanRequest.WholeScanMissed"/>), null
/// when there was none to make.
/// </summary>
public sealed record WholeScanLookup(ScanOutcome? Outcome, string? Missed)
{
    /// <summary>
    /// At most this many sources changed make a re-scan of a few units (<see cref="FewSourcesChanged"/>). Counted against the
    /// digests kept beside the entry, which are written again only when many were made anew (<see cref="Staleness"/>), so
    /// the sources edited over several re-scans add up, though the units of all but the last edits are in the result cache.
    /// </summary>
    public const int FewSources = 64;

    /// <summary>The files whose content changed since the last scan, when the look-up could tell (<see cref="WholeScanCache.ChangedFiles"/>).</summary>
    public ImmutableArray<string>? ChangedFiles { get; init; }

    /// <summary>
    /// Whether the scan to run is a re-scan that parses few units: it missed only because a few C, C++ or assembly sources
    /// changed, no header or build file (a header can send most of a tree's units to the parser again). Its
    /// other units' facts come from the result cache and live to the scan's end.
    /// </summary>
    public bool FewSourcesChanged =>
        Outcome is null && ChangedFiles is { Length: > 0 and <= FewSources } files && files.All(file => SourceFiles.LanguageOf(file) is not null);

    /// <summary>The tree's listing and snapshot the look-up took, for the scan started next (<see cref="HandOver"/>).</summary>
    internal (FileInventory Files, TreeSnapshot Snapshot)? Tree { get; init; }

    /// <summary>Leaves the look-up's listing and snapshot in FOLDER for the scan told <see cref="Missed"/> (<see cref="HandedTree"/>).</summary>
    public void HandOver(string folder)
    {
        if (Outcome is null && Missed is { } missed && Tree is var (files, snapshot))
        {
            HandedTree.Write(folder, missed, files, snapshot);
        }
    }
}

/// <summary>
/// discover → parse (in parallel, each unit once, one walk) → detect → merge → graph → results (suppressions, baseline).
/// Every input is checked before the work starts; no stage reaches back.
/// </summary>
public static class ScanPipeline
{
    public static string ToolVersion =>
        typeof(ScanPipeline).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    /// <summary>What a scan finds before its first unit: the checked inputs, the tree's listing and the whole-scan entry.</summary>
    private sealed record ScanStart(Stopwatch Clock, Stopwatch Phase, string Root, ImmutableArray<IgnoreEntry> Ignores,
        ImmutableHashSet<string>? Baseline, string? Resources, FileInventory? Inventory, TreeSnapshot? Snapshot, FileDigests Digests,
        WholeScanCache? WholeScan, bool LookedUpBySupervisor);

    /// <summary>Whether the scan may be answered by a kept whole scan (a result cache, and reuse not turned off).</summary>
    private static bool ReusesWholeScan(ScanRequest request) => request.ResultCache is not null && request.ReuseWholeScan;

    /// <summary>
    /// Every input checked, then (with a result cache) the tree listed and the whole-scan entry looked up: SETTLED when
    /// that is the scan's outcome (an input error, or the kept whole scan), else STARTED, what the scan goes on with.
    /// </summary>
    private static (ScanOutcome? Settled, ScanStart? Started) Start(ScanRequest request)
    {
        var clock = Stopwatch.StartNew();
        if (ReusesWholeScan(request))
        {
            // First: the inputs' checks and the tree's listing below run meanwhile on this thread.
            WholeScanCache.PrepareInBackground();
        }
        var root = Path.GetFullPath(request.Root).TrimEnd('/');
        if (root.Length == 0)
        {
            root = "/";
        }
        foreach (var arch in request.Arches)
        {
            if (Architecture.Find(arch) is null)
            {
                return (ScanOutcome.Failure($"unknown arch '{arch}' (known: {string.Join(", ", Architecture.Names)})"), null);
            }
        }
        // Meanwhile the inputs are checked and the tree is listed: libclang loaded (a large library's relocations, ~40 ms)
        // and the rules' texts digested (~30 ms), once each for the supervisor and its scan. Their errors come in the
        // order they always had: after the ignore file's and the baseline's.
        var environment = Task.Run(() => Libclang.Load() is { } failed ? (failed, default) : ((InputError?)null, ResourceDirectory.Locate()));
        var digesting = ReusesWholeScan(request) ? Task.Run(() => RuleLoader.DigestWith(request.RulesDirectory)) : null;
        var ignores = IgnoreEntries(request, root);
        if (ignores.Error is { } ignoreError)
        {
            return (ScanOutcome.Failure(ignoreError), null);
        }
        var baseline = request.Baseline is null ? default : Baseline.Load(request.Baseline);
        if (baseline.Error is { } baselineError)
        {
            return (ScanOutcome.Failure(baselineError), null);
        }

        var phase = Stopwatch.StartNew();
        // Taken before any file of the tree is read: a file written during the scan then misses the entry next time. A
        // supervisor's, taken just before it started this scan, is such a one.
        var handed = digesting is not null && request is { WholeScanMissed: { } miss, HandedTreeFolder: { } handedFolder }
            ? HandedTree.Take(handedFolder, root, miss)
            : null;
        var listed = handed?.Files ?? (digesting is not null && Directory.Exists(root) ? FileInventory.Of(root) : null);
        var (clangError, resources) = environment.Result;
        if (clangError is not null)
        {
            return (ScanOutcome.Failure(clangError), null);
        }
        if (resources.Error is { } resourceError)
        {
            return (ScanOutcome.Failure(resourceError), null);
        }
        var rulesDigest = digesting?.Result;
        var inventory = rulesDigest is not null ? listed : null;
        var snapshot = inventory is null ? null : handed?.Snapshot ?? TreeSnapshot.Take(inventory);
        var digests = new FileDigests();
        var wholeScan = snapshot is null ? null : new WholeScanCache(request.ResultCache!, ScanIdentity(request, root, rulesDigest!, ignores.Value, resources.Value),
            request.DecodedStores);
        var lookedUp = wholeScan is not null && request.WholeScanMissed == MissOf(wholeScan, snapshot!);
        if (wholeScan is not null && !lookedUp && request.TakesWholeScan && wholeScan.TryLoad(snapshot!, digests) is { } kept)
        {
            return (Reused(kept, request, baseline.Value, clock, phase.ElapsedMilliseconds) with { WholeScan = wholeScan }, null);
        }
        return (null, new ScanStart(clock, phase, root, ignores.Value, baseline.Value, resources.Value, inventory, snapshot, digests, wholeScan, lookedUp));
    }

    /// <summary>
    /// The look-up of this exact scan's kept result: its outcome when the result cache holds one for the unchanged tree
    /// (an input error too, found on the way), else what the scan to run is told (<see cref="WholeScanLookup"/>). Parses
    /// nothing, so a supervised scan asks this before it starts the process that parses (an unchanged re-scan is then one
    /// process start, not two).
    /// </summary>
    public static WholeScanLookup TryReuse(ScanRequest request)
    {
        if (!ReusesWholeScan(request))
        {
            return new WholeScanLookup(null, null);
        }
        var (settled, started) = Start(request);
        return started is { WholeScan: { } wholeScan, Snapshot: { } snapshot }
            ? new WholeScanLookup(settled, MissOf(wholeScan, snapshot)) { ChangedFiles = wholeScan.ChangedFiles, Tree = (started.Inventory!, snapshot) }
            : new WholeScanLookup(settled, null);
    }

    /// <summary>
    /// The stores beside the whole-scan entry of OUTCOME read into REQUEST's <see cref="ScanRequest.DecodedStores"/> now,
    /// those its scan did not read: the ones it wrote (the lexical scans after a header edit, a pack gone stale), or all of
    /// them when the kept whole scan answered it (which reads none). A watch does this after each scan, meanwhile it waits
    /// for a change, so that its next scan takes them back (the units' pack decoded unit by unit is ~1 s of CPU on
    /// xnu-11417 x86_64). Configuration groups' packs are read when a group is detected again, not here.
    /// </summary>
    public static void ReadStoresAhead(ScanOutcome outcome, ScanRequest request)
    {
        if (request.DecodedStores is not { } decoded || outcome.WholeScan is not { } wholeScan)
        {
            return;
        }
        var pack = new UnitFactsPack(wholeScan.UnitFactsPackPath, decoded);
        var lexical = LexicalScanStore.ReadAhead(wholeScan.LexicalStorePath, decoded);
        var groups = new ConfigurationGroupStore(wholeScan.ConfigurationGroupStorePath, new FileDigests(), decoded);
        var digests = new KeptDigests(wholeScan.DigestStorePath, DateTime.UtcNow, decoded);
        Task.WaitAll(pack.DecodedAhead, lexical.Kept, groups.Loaded, digests.Loaded);
    }

    /// <summary>The entry's key and the tree's snapshot digest: a look-up's miss, named.</summary>
    private static string MissOf(WholeScanCache wholeScan, TreeSnapshot snapshot) => wholeScan.Key + ":" + snapshot.Digest;

    public static ScanOutcome Run(ScanRequest request)
    {
        // The rules parsed on another core meanwhile the inputs are checked and the scan is looked up (~40 ms of YAML,
        // which a supervised scan's start, handed its tree, otherwise spent after waiting for libclang's load). A kept
        // whole scan needs them not (it was found by their texts' digest); their errors still come after the inputs'.
        var loading = Task.Run(() => RuleLoader.LoadWith(request.RulesDirectory));
        var (settled, started) = Start(request);
        if (settled is not null)
        {
            return settled;
        }
        var (clock, phase, root, ignores, baseline, resources, inventory, snapshot, digests, wholeScan, lookedUpBySupervisor) = started!;
        var rules = loading.GetAwaiter().GetResult();
        if (rules.Error is { } ruleError)
        {
            return ScanOutcome.Failure(ruleError);
        }
        var ruleSet = new RuleSet(rules.Rules);
        // Before discovery: the last scan's units are read and decoded meanwhile, on the core discovery leaves idle.
        var pack = request.ResultCache is not null && wholeScan is not null ? new UnitFactsPack(wholeScan.UnitFactsPackPath, request.DecodedStores) : null;
        var lexicalRead = request.ResultCache is not null && wholeScan is not null ? LexicalScanStore.ReadAhead(wholeScan.LexicalStorePath, request.DecodedStores) : null;
        // Kept with the whole scan's identity: the next scan takes back the digests of the files whose size and time hold
        // (discovery's kept result too, checking the files whose time changed: after a fresh clone, every one).
        var keptDigests = request.ResultCache is not null && wholeScan is not null
            ? new KeptDigests(wholeScan.DigestStorePath, DateTime.UtcNow - clock.Elapsed, request.DecodedStores)
            : null;
        var discovery = UnitDiscovery.Discover(new DiscoveryRequest
        {
            Files = inventory,
            Root = root,
            Arches = request.Arches,
            Profile = request.Profile,
            CompileCommands = request.CompileCommands,
            CacheDirectory = request.CacheDirectory ?? DefaultCacheDirectory(),
            ResourceDirectory = resources,
            ClangMajorVersion = Libclang.LoadedMajorVersion(),
            Configurations = request.Configurations,
            MachineConfig = request.MachineConfig,
            Boards = request.Boards,
            KeepsReadings = request.ResultCache is not null,
            Stamps = snapshot?.Stamps,
            KeptDigest = keptDigests is null ? null : keptDigests.TryTake,
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
            // Not the root's path: a report is the same wherever the tree is checked out (it records the root once).
            warnings = warnings.Add($"no compilation units found in the tree ({discovery.Profile} profile); only headers were read, lexically");
        }
        if (request.IgnoreFile is null && RegularFiles.KindOf(Path.Combine(root, Suppressions.DefaultFileName)) is var ignoreKind
            && ignoreKind is not FileKind.Regular and not FileKind.Missing)
        {
            // Hidden, so not in the inventory: named here, as the inventory names the others.
            warnings = warnings.Add($"{Suppressions.DefaultFileName}: {RegularFiles.Describe(ignoreKind)}, not a regular file; skipped, never opened");
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
        var discoverMs = phase.ElapsedMilliseconds;
        var memory = ImmutableArray.CreateBuilder<PhaseMemory>();
        memory.Add(PhaseMemory.Now("discover"));
        phase.Restart();
        var fileDigests = new FileDigests(discovery.Overlays, discovery.ContentDigests, keptDigests, snapshot?.Stamps);
        var cache = request.ResultCache is { } cacheFolder
            ? new ResultCache(cacheFolder, $"{rules.Digest}\n{LibclangLoader.Version()}\n{resources}", fileDigests, request.ResultCacheMaxBytes,
                pack)
            : null;
        // Kept with the whole scan's identity: the next scan of this tree with this request takes back the scans of the
        // files it did not change.
        var lexical = cache is not null && lexicalRead is not null ? new LexicalScanStore(lexicalRead, root, fileDigests) : null;
        if (lexical is not null)
        {
            LexicalScanStores.Attach(texts, lexical);
        }
        var groups = lexical is not null ? new ConfigurationGroupStore(wholeScan!.ConfigurationGroupStorePath, fileDigests, request.DecodedStores) : null;
        using var workers = request.ParseWorkers is { } command ? new Workers.ParseWorkerPool(command) : null;
        // Before the first parse: arenas are made as threads first allocate (see NativeHeap).
        NativeHeap.Tune(request.Jobs);
        var ranks = ranked.Select(u => u.Rank).ToImmutableArray();
        var main = OwnUnits(units, ranks, detectors, sources, ruleSet, root, texts, reach, request, discovery, cache, workers, phase, memory,
            keeping: wholeScan is null ? null : snapshot, resources);
        warnings = warnings.AddRange(main.Warnings);
        var variants = discovery.Variants
            .Where(u => request.Shard is not { } shard || ShardOf(u.RelativePath, shard.Count) == shard.Index - 1)
            .ToImmutableArray();
        var variantParses = new VariantParses();
        var all = main.Own.Concat(VariantSites(variants, main.Own, ruleSet, root, request, discovery, cache, groups, texts, workers, variantParses));
        memory.Add(PhaseMemory.Now("configurations"));
        var reachCounts = main.ReachCounts;
        // A register template's views (the own units', each configuration's and board's) take one rule: one site.
        var merged = FindingMerger.Merge(Detectors.Instructions.MacroDefinitions.OneRulePerTemplate(all).Where(f => !request.ActiveOnly || f.Active), reachCounts);
        // A store wrapper's callers are the calls of it in every unit, those other configurations' and boards' parses make
        // too; a shard carries those of wrappers it has no finding of to `merge`, where another shard's finding gains them.
        var wrapperCalls = main.WrapperCalls.Concat(variantParses.WrapperCalls).ToList();
        merged = Detectors.PageTables.PageTableDetector.WithWrapperCalls(merged, wrapperCalls);
        // Every lexical scan is made by now (the configurations' parses were the last): written meanwhile the plan is made.
        // The tree's contents digested (most files' digests are made by now; the rest, files no unit reads, are read
        // once and kept) before the kept digests are saved: the entry is then found again after a touch of every file.
        var treeContent = wholeScan is not null && main.Outside is not null ? Task.Run(() => snapshot!.ContentDigest(fileDigests, asScanned: true)) : null;
        var savingLexical = lexical is null ? null : Task.Run(() =>
        {
            lexical.Save();
            groups?.Save();
            treeContent?.Wait();
            keptDigests?.Save();
        });
        // The whole-tree join of reads and divisions by the fields they fill: a shard's report carries its divisions
        // to `merge`, which joins them over every shard (a shard alone does not hold the tree).
        var fieldDivisions = main.FieldDivisions;
        if (request.Shard is null)
        {
            merged = Detectors.Platform.FieldDivisionVerdicts.Apply(merged, fieldDivisions);
        }
        var detectMs = main.DetectMs + phase.ElapsedMilliseconds;
        phase.Restart();
        var graph = main.Graph;
        var phases = PortPhases.BuiltIn();
        var findings = CallGraphImpact.Annotate(merged, graph, phases);
        var graphMs = main.GraphMs + phase.ElapsedMilliseconds;
        memory.Add(PhaseMemory.Now("graph"));
        phase.Restart();

        var result = new ScanResult
        {
            ToolVersion = ToolVersion,
            Root = root,
            Arches = request.Arches,
            Configurations = discovery.Configurations,
            Platforms = discovery.Platforms,
            Target = request.Target,
            Profile = discovery.Profile,
            MachineConfigs = [.. discovery.MachineConfigs.Select(m => new MachineConfigChoice(m.Arch, m.Name, m.Source, m.Defines))],
            Health = main.Health with
            {
                Variants = variantParses.Counts.Count == 0 ? null : UnitCounts.Sum(variantParses.Counts),
            },
            DurationMs = request.Timings ? clock.ElapsedMilliseconds : 0,
            Findings = findings,
            CallGraph = graph,
            ShardGraph = request.Shard is null ? null : graph.ToData() with
            {
                Reach = ShardReach(reachCounts, main.Walkers!),
            },
            Phases = phases.Phases,
            Warnings = warnings,
            Shard = request.Shard is { } s ? $"{s.Index}/{s.Count}" : null,
            FieldDivisions = request.Shard is null ? [] : fieldDivisions,
            WrapperCalls = request.Shard is null ? [] : Detectors.PageTables.PageTableDetector.ForeignWrapperCalls(merged, wrapperCalls),
            RulesDigest = rules.Digest,
            Drivers = Detectors.DriverApi.DriverInventory.Build(main.Classes, findings),
            Rules = ruleSet.Rules,
            Libclang = new LibclangInfo(LibclangLoader.Version(), LibclangLoader.Origin!),
        };
        result = Suppressions.Apply(result, ignores);
        // After suppressions: a site a team decided to leave is not work the interface counts.
        result = PortInterfaceBuilder.Apply(result, ruleSet, rules.Hooks, graph, phases);
        var excerpt = Planner.Excerpt(result);
        // Written on another core meanwhile the plan is made: the result before the plan (a copy of the reference, as the
        // variable is planned below) and the graph are not changed by it.
        var unplanned = result;
        var storing = wholeScan is null ? Task.FromResult(WholeScanUse.Off)
            : main.Outside is { } outside
                ? Task.Run(() => wholeScan.Store(new CachedScan(unplanned, units.Length, new Lazy<CallGraphData?>(graph.ToData())) { Excerpt = excerpt },
                    snapshot!, treeContent!.Result, outside, digests))
                : Task.FromResult(WholeScanUse.NotStored);
        result = Planned(result, excerpt, baseline);
        var planMs = phase.ElapsedMilliseconds;
        ScanOutcome Outcome(WholeScanUse wholeScanUse) => new(result, null)
        {
            Statistics = new ScanStatistics
            {
                Units = units.Length,
                DiscoverMs = discoverMs,
                ParseMs = main.ParseMs,
                DetectMs = detectMs,
                GraphMs = graphMs,
                PlanMs = planMs,
                Cache = cache?.Statistics(main.Evicted),
                WholeScan = wholeScanUse,
                WholeScanLookedUpBySupervisor = lookedUpBySupervisor,
                LexicalScans = lexical is null ? null : (lexical.Reused, lexical.Made),
                ConfigurationGroups = groups is null ? null : (groups.Reused, groups.Made),
                DiscoveryKept = discovery.Kept,
                Memory = [.. memory, PhaseMemory.Now("plan")],
            },
            WholeScan = wholeScan,
        };
        ScanOutcome Kept()
        {
            var wholeScanUse = storing.GetAwaiter().GetResult();
            savingLexical?.Wait();
            return Outcome(wholeScanUse);
        }
        // A watch's scan is over when its result is: the whole scan and the stores are kept meanwhile its reports are
        // written and said (on xnu-11417 x86_64 the wait for them was ~0.1 s of a `.c` edit's re-scan), and the watch
        // waits for them before its next scan (Finished).
        return request.DecodedStores is not null && !(storing.IsCompleted && (savingLexical?.IsCompleted ?? true))
            ? Outcome(WholeScanUse.Off) with
            {
                Finishing = Task.WhenAll(storing, savingLexical ?? Task.CompletedTask).ContinueWith(_ => Kept(), CancellationToken.None,
                    TaskContinuationOptions.None, TaskScheduler.Default),
            }
            : Kept();
    }

    /// <summary>
    /// What the scan keeps of its own units' parse once their facts are let go: their findings (with the configurations
    /// and boards they stand for), what the later stages read of them (reach, wrapper calls, field divisions, the call
    /// graph, the driver classes, the health) and whether the whole scan may be kept (null Outside: not).
    /// </summary>
    private sealed record OwnParse(List<Finding> Own, ImmutableArray<string> Warnings, IReadOnlyDictionary<(string File, string Function), int> ReachCounts,
        List<WrapperCall> WrapperCalls, ImmutableArray<FieldDivision> FieldDivisions, CallGraph Graph, ParseHealth Health,
        IReadOnlyDictionary<(string File, string Function), ImmutableArray<(string Arch, int Rank)>>? Walkers,
        Detectors.DriverApi.ClassHierarchy? Classes, List<string>? Outside, long ParseMs, long DetectMs, long GraphMs, int Evicted);

    /// <summary>
    /// The scan's own units parsed and detected, and everything later stages need of them taken. A method of its own so
    /// that the units' facts (a third of the heap on xnu-11417) die with its frame before the configurations and boards
    /// are parsed, not after (see <see cref="GroupStage.DetectedAtOnce"/>). KEEPING: the tree's snapshot when the whole scan
    /// is to be kept.
    /// </summary>
    private static OwnParse OwnUnits(ImmutableArray<SourceUnit> units, ImmutableArray<int> ranks, ImmutableArray<IDetector> detectors,
        ImmutableArray<ICollectorSource> sources, RuleSet ruleSet, string root, SourceTexts texts, FunctionReach reach, ScanRequest request,
        DiscoveryResult discovery, ResultCache? cache, Workers.ParseWorkerPool? workers, Stopwatch phase, ImmutableArray<PhaseMemory>.Builder memory,
        TreeSnapshot? keeping, string? resources)
    {
        var parsed = ParseAll(units, sources, root, texts, reach, request, discovery.Overlays, cache, workers);
        cache?.Pack?.Release();
        // On another core meanwhile the units are detected; waited for before their facts are let go.
        var packing = cache?.Pack is null ? null : Task.Run(() => cache.WritePack(parsed));
        var evicted = cache?.Trim() ?? 0;
        var parseMs = phase.ElapsedMilliseconds;
        memory.Add(PhaseMemory.Now("parse"));
        phase.Restart();
        var warnings = ImmutableArray.CreateBuilder<string>();
        var timedOut = parsed.Where(p => p.Errors.Length > 0 && p.Errors[0].Message.StartsWith(UnitParser.TimeoutReason, StringComparison.Ordinal)).ToList();
        if (timedOut.Count > 0)
        {
            warnings.Add($"{timedOut.Count} units abandoned after --unit-timeout {request.UnitTimeout.TotalSeconds:0.###} s and reported failed " +
                         $"(e.g. {timedOut[0].Unit.RelativePath} for {timedOut[0].Unit.Arch})");
        }
        var crashed = parsed.Where(p => p.Errors.Length > 0 && p.Errors[0].Message.StartsWith(Workers.ParseWorkerPool.CrashReason, StringComparison.Ordinal)).ToList();
        if (crashed.Count > 0)
        {
            warnings.Add($"{crashed.Count} units crashed the parser and were reported failed " +
                         $"(e.g. {crashed[0].Unit.RelativePath} {crashed[0].Unit.Arch}); the scan went on without them");
        }

        // The call graph reads the parsed units and nothing detection makes: built on another core meanwhile detection
        // runs (0.7 s of a .c edit's re-scan of xnu-11417 on the main thread before). The graph phase is the wait for it.
        var building = Task.Run(() => CallGraph.Build(parsed, ranks));
        var (context, detected) = Detect(detectors, ruleSet, request, root, discovery, parsed, texts, reach);
        // Every discovered unit's configurations and boards, not only the shard's: a site in a file another shard's unit
        // owns (IONVRAMV3Handler.cpp, #included by IONVRAM.cpp and a unit of its own) takes them as in the whole scan.
        var own = ConfigurationSites.Own(detected, OwnConfigurations(discovery.Units), discovery.Configurations.FirstOrDefault(), OwnPlatforms(discovery.Units),
            discovery.Platforms.IsEmpty ? null : discovery.MachineConfigs.FirstOrDefault(m => m.Known.Length > 0)?.Name).ToList();
        var wrapperCalls = Detectors.PageTables.PageTableDetector.Calls(context).ToList();
        var fieldDivisions = Detectors.Platform.PlatformDetector.FieldDivisions(context);
        var classes = Detectors.DriverApi.DriverInventory.Classes(context);
        var reachCounts = FunctionReach.Counts(parsed);
        var detectMs = phase.ElapsedMilliseconds;
        memory.Add(PhaseMemory.Now("detect"));
        phase.Restart();
        var graph = building.GetAwaiter().GetResult();
        packing?.Wait();
        var graphMs = phase.ElapsedMilliseconds;
        phase.Restart();
        return new OwnParse(own, warnings.ToImmutable(), reachCounts, wrapperCalls, fieldDivisions, graph,
            ParseHealthSummary.From(parsed, request.IncludeUnits, allCounts: request.Shard is not null),
            request.Shard is null ? null : FunctionReach.Walkers(parsed, ranks), classes,
            keeping is not null && KeepsWholeScan(parsed, keeping, request, discovery, resources) ? [.. Outside(parsed, keeping, request)] : null,
            parseMs, detectMs, graphMs, evicted);
    }

    /// <summary>A shard's reach of each header function: its units, and the rank of the unit that walked it per arch.</summary>
    private static ImmutableArray<GraphReachData> ShardReach(IReadOnlyDictionary<(string File, string Function), int> counts,
        IReadOnlyDictionary<(string File, string Function), ImmutableArray<(string Arch, int Rank)>> walkers) =>
        [.. counts.OrderBy(r => r.Key.File, StringComparer.Ordinal).ThenBy(r => r.Key.Function, StringComparer.Ordinal)
            .Select(r => new GraphReachData(r.Key.File, r.Key.Function, r.Value) { Walkers = walkers.GetValueOrDefault(r.Key, []) })];

    /// <summary>
    /// Everything besides the tree that a scan's result depends on: every request field that can change a report (not
    /// the jobs, timings, the cache's own settings or the baseline, applied after), the rules, the suppressions, the
    /// libclang and its resource folder. The build of Parascope is added by the cache.
    /// </summary>
    private static string ScanIdentity(ScanRequest request, string root, string rulesDigest, ImmutableArray<IgnoreEntry> ignores, string? resources)
    {
        var asked = request with
        {
            Root = root,
            Jobs = 0,
            Timings = false,
            Baseline = null,
            ResultCache = null,
            ResultCacheMaxBytes = 0,
            IgnoreFile = null,
            CacheDirectory = request.CacheDirectory ?? DefaultCacheDirectory(),
        };
        return string.Join('\n', System.Text.Json.JsonSerializer.Serialize(asked, ScanIdentityJson.Default.ScanRequest), rulesDigest,
            System.Text.Json.JsonSerializer.Serialize(ignores, ScanIdentityJson.Default.ImmutableArrayIgnoreEntry), LibclangLoader.Version(),
            resources ?? string.Empty);
    }

    /// <summary>
    /// Whether a whole scan may be reused: the tree was settled when the snapshot was taken, no unit failed (a crash or a
    /// timeout may not recur), and no unit that stopped at a missing file searched folders outside the tree, its
    /// stand-ins and clang's headers (a header created there would go unseen: only the tree's file list is checked).
    /// </summary>
    private static bool KeepsWholeScan(ImmutableArray<ParsedUnit> parsed, TreeSnapshot snapshot, ScanRequest request, DiscoveryResult discovery,
        string? resources)
    {
        if (!snapshot.Settled || parsed.Any(p => p.Status == UnitStatus.Failed))
        {
            return false;
        }
        var known = new List<string> { snapshot.Root, request.CacheDirectory ?? DefaultCacheDirectory() };
        if (resources is not null)
        {
            known.Add(resources);
        }
        return !parsed.Where(p => p.HasFatal).Any(p => IncludeFlags.SearchFolders(p.Unit.Arguments)
            .Select(folder => Path.GetFullPath(folder, p.Unit.WorkingDirectory ?? snapshot.Root) + "/")
            .Any(folder => !known.Any(k => folder.StartsWith(Path.GetFullPath(k).TrimEnd('/') + "/", StringComparison.Ordinal))));
    }

    /// <summary>The files outside the snapshot's list that the result depends on: what the units read there, and the compile_commands.json named.</summary>
    private static IEnumerable<string> Outside(ImmutableArray<ParsedUnit> parsed, TreeSnapshot snapshot, ScanRequest request)
    {
        var read = parsed.SelectMany(p => p.Dependencies).Where(path => !snapshot.Lists(path));
        return request.CompileCommands is { } database ? read.Append(Path.GetFullPath(database)) : read;
    }

    /// <summary>A kept whole scan as this scan's outcome: its call graph rebuilt only when asked for, the baseline applied now.</summary>
    private static ScanOutcome Reused(CachedScan kept, ScanRequest request, ImmutableHashSet<string>? baseline, Stopwatch clock, long lookupMs)
    {
        var result = kept.Result with
        {
            CallGraph = kept.HasGraph ? new LazyCallGraph(() => CallGraph.FromData([kept.Graph.Value!])) : null,
            DurationMs = request.Timings ? clock.ElapsedMilliseconds : 0,
        };
        var planning = Stopwatch.StartNew();
        result = Planned(result, kept.Excerpt, baseline);
        return new ScanOutcome(result, null)
        {
            Statistics = new ScanStatistics { Units = kept.Units, DiscoverMs = lookupMs, PlanMs = planning.ElapsedMilliseconds, WholeScan = kept.ByContent ? WholeScanUse.HitByContent : WholeScanUse.Hit },
        };
    }

    /// <summary>The last stages, the same for a scan and a reused one: the baseline (a separate input, never kept), then the plan.</summary>
    private static ScanResult Planned(ScanResult result, GraphExcerpt excerpt, ImmutableHashSet<string>? baseline) =>
        Planner.Apply(baseline is { } fingerprints ? Baseline.Apply(result, fingerprints) : result, excerpt);

    /// <summary>The configurations each file's own units are parsed in.</summary>
    private static Dictionary<string, ImmutableArray<string>> OwnConfigurations(ImmutableArray<SourceUnit> units) =>
        units.Where(u => u.Configuration is not null)
            .GroupBy(u => u.RelativePath, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(u => u.SameConfigurations.Prepend(u.Configuration!)).Distinct(StringComparer.Ordinal)
                .OrderBy(KernelConfigurations.Rank).ToImmutableArray(), StringComparer.Ordinal);

    /// <summary>The boards each file's own units stand for (none when the scan parses no other board).</summary>
    private static Dictionary<string, ImmutableArray<string>> OwnPlatforms(IEnumerable<SourceUnit> units) =>
        units.Where(u => !u.Platforms.IsEmpty)
            .GroupBy(u => u.RelativePath, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(u => u.Platforms).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray(),
                StringComparer.Ordinal);

    /// <summary>What a configuration group's kept detection depends on in the tree beyond its units (see <see cref="ConfigurationGroupStore"/>).</summary>
    private sealed record GroupTree(string Listing, List<string> Files);

    /// <summary>What the variant parses give besides their sites: their health, and the calls of store wrappers they make.</summary>
    private sealed class VariantParses
    {
        public List<UnitCounts> Counts { get; } = [];
        public List<WrapperCall> WrapperCalls { get; } = [];
        /// <summary>Whether some group parsed many units (<see cref="ManyParses"/>): the garbage is collected after the last group.</summary>
        public bool Parsed { get; set; }
    }

    /// <summary>
    /// The variant units parsed, one configuration (or board) at a time, with detectors of their own: the sites each
    /// configuration compiles, folded into the scan's findings (<see cref="ConfigurationSites.Fold"/>). Their parse
    /// adds nothing to the unit counts, the call graph or the reach of functions. They read the files' texts the
    /// scan already holds (TEXTS: the same files on disk whatever the configuration) instead of a copy of their own.
    /// A group the store does not hold is looked up in the result cache; when it parses many units it is parsed and
    /// detected at once (after a collection of the whole heap), else it waits for the other groups that parse few, whose
    /// units are then parsed together, sharing the cores (a `.c` edit's re-scan parses the edited unit once in each group).
    /// </summary>
    private static IEnumerable<Finding> VariantSites(ImmutableArray<SourceUnit> variants, IReadOnlyList<Finding> own, RuleSet rules,
        string root, ScanRequest request, DiscoveryResult discovery, ResultCache? cache, ConfigurationGroupStore? groups, SourceTexts texts,
        Workers.ParseWorkerPool? workers, VariantParses tally)
    {
        // What every group's detection reads besides its units' files, taken once for the scan: the tree's file list and
        // the headers and assembly files the instruction detector reads whatever the units are.
        var files = discovery.Files ?? FileInventory.Empty(root);
        var tree = groups is null || variants.IsEmpty ? null
            : new GroupTree(ConfigurationGroupStore.ListDigest(files.RelativePaths), [.. Detectors.Instructions.AssemblerHeaders.FilesRead(files)]);
        var stage = new GroupStage(rules, root, request with { Progress = null, ProgressDetail = null }, discovery, cache, groups, tree, texts, workers, tally);
        // Configurations first, then each board (in its own configurations), so that a board's sites carry its name.
        var ordered = variants.GroupBy(u => (u.Platform, Configuration: u.Configuration!))
            .OrderBy(g => g.Key.Platform, StringComparer.Ordinal).ThenBy(g => KernelConfigurations.Rank(g.Key.Configuration))
            .ToList();
        var detections = new ConfigurationGroupResult?[ordered.Count];
        var waiting = new List<(int Index, GroupParse Parse)>();
        try
        {
            for (var i = 0; i < ordered.Count; i++)
            {
                GroupParse? parse = null;
                detections[i] = stage.Kept(ordered[i]) ?? stage.DetectedAtOnce(ordered[i], out parse);
                if (parse is not null)
                {
                    waiting.Add((i, parse));
                }
            }
            UnitParses.ParseMissing([.. waiting.Select(w => w.Parse.Parses)], request.Jobs);
            // Detected side by side too: each group has its detectors and reach of its own, and what they share (the
            // scan's lexical scans, the assembler headers' reading, the store) is made once, whichever group asks first.
            Parallel.ForEach(waiting, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Jobs) },
                wait => detections[wait.Index] = stage.Detected(wait.Parse));
        }
        finally
        {
            foreach (var (_, parse) in waiting)
            {
                parse.Parses.Dispose();
            }
        }
        if (tally.Parsed)
        {
            ReleaseGarbage();
        }
        var folded = new List<Finding>();
        for (var i = 0; i < ordered.Count; i++)
        {
            var (group, detection) = (ordered[i], detections[i]!);
            tally.Counts.Add(detection.Counts);
            tally.WrapperCalls.AddRange(detection.WrapperCalls);
            var byFile = OwnConfigurations([.. group]);
            var platforms = OwnPlatforms(group);
            folded.AddRange(ConfigurationSites.Fold(own, detection.Findings, file => byFile.GetValueOrDefault(file, [group.Key.Configuration]),
                file => platforms.GetValueOrDefault(file, group.Key.Platform is { } board ? [board] : [])));
        }
        return folded;
    }

    /// <summary>A configuration group looked up in the result cache, waiting for its missing units' parse: its detectors, its reach, its units' parses.</summary>
    private sealed record GroupParse(string Name, List<string>? Keys,
        ImmutableArray<IDetector> Detectors, FunctionReach Reach, UnitParses Parses, UnitFactsPack? Pack);

    /// <summary>What every configuration group's parse and detection share in a scan.</summary>
    private sealed record GroupStage(RuleSet Rules, string Root, ScanRequest Request, DiscoveryResult Discovery, ResultCache? Cache,
        ConfigurationGroupStore? Groups, GroupTree? Tree, SourceTexts Texts, Workers.ParseWorkerPool? Workers, VariantParses Tally)
    {
        private static string NameOf(IGrouping<(string? Platform, string Configuration), SourceUnit> group) => $"{group.Key.Platform}\t{group.Key.Configuration}";

        private List<string>? KeysOf(IGrouping<(string? Platform, string Configuration), SourceUnit> group) =>
            Groups is not null && Tree is not null && Cache is not null ? [.. group.Select(Cache.KeyOf)] : null;

        /// <summary>GROUP's detection taken back from the store, or null.</summary>
        public ConfigurationGroupResult? Kept(IGrouping<(string? Platform, string Configuration), SourceUnit> group) =>
            KeysOf(group) is { } keys ? Groups!.TryGet(NameOf(group), keys, Tree!.Listing) : null;

        /// <summary>
        /// GROUP looked up in the result cache, then parsed and detected when it parses many units (null PARSE); else
        /// null, and PARSE waits for the parse of its missing units (with no worker processes: their stages run one at
        /// a time). A method of its own so that a group's parsed units and detectors die with its frame: a method run
        /// once is compiled without lifetime tracking (tier 0), so locals of the loop in <see cref="VariantSites"/>
        /// would hold the previous group's units through the next one's parse.
        /// </summary>
        public ConfigurationGroupResult? DetectedAtOnce(IGrouping<(string? Platform, string Configuration), SourceUnit> group, out GroupParse? parse)
        {
            var detectors = DetectorRegistry.All(Rules);
            var reach = new FunctionReach();
            var packPath = Groups is not null && Cache is not null ? Groups.PackPathOf(NameOf(group)) : null;
            var pack = packPath is not null ? new UnitFactsPack(packPath, Request.DecodedStores) : null;
            var parses = new UnitParses([.. group], [.. detectors], Root, Texts, reach, Request, Discovery.Overlays, Cache, Workers, pack);
            parse = new GroupParse(NameOf(group), KeysOf(group), detectors, reach, parses, pack);
            if (parses.Missing.Length < ManyParses && Workers is null)
            {
                return null;
            }
            using (parses)
            {
                // Before a group's many parses, once its look-ups are done: a collection of the whole heap is a tenth of
                // a second or more, worth it before hundreds of libclang parses (their memory is malloc's, which cannot
                // reuse what the managed heap keeps), not before one or two.
                if (parses.Missing.Length >= ManyParses)
                {
                    // Its pack is written anew after these parses: a watch keeping the one read would hold it through
                    // the next groups' parses (a header edit's peak on xnu-11417 x86_64, 901 MB against ~750 MB one-shot).
                    if (packPath is not null)
                    {
                        Request.DecodedStores?.Forget(packPath);
                    }
                    ReleaseGarbage();
                    Tally.Parsed = true;
                }
                UnitParses.ParseMissing([parses], Request.Jobs);
                var detected = Detected(parse);
                parse = null;
                return detected;
            }
        }

        /// <summary>PARSE's group detected once its missing units are parsed, and kept in the store when every unit parsed whole.</summary>
        public ConfigurationGroupResult Detected(GroupParse parse)
        {
            var parsed = parse.Parses.Finish();
            // Written again only when many of its units were not taken from it (a `.c` edit leaves it as it is).
            if (parse.Pack is { } pack)
            {
                Cache!.WritePack(parsed, pack);
            }
            var (context, detected) = Detect(parse.Detectors, Rules, Request, Root, Discovery, parsed, Texts, parse.Reach, compiledSitesOnly: true);
            var detection = new ConfigurationGroupResult([.. detected], [.. Detectors.PageTables.PageTableDetector.Calls(context)],
                UnitCounts.Of([.. parsed.Select(u => (u.Status, u.HasFatal))]));
            // What the group's detection read: its units' files and the tree's. A unit that failed or stopped at a missing file
            // may parse otherwise next time with every file the same: such a group is not kept (ConfigurationGroupStore).
            if (parse.Keys is { } keys && parsed.All(u => u.Status != UnitStatus.Failed && !u.HasFatal))
            {
                Groups!.Add(parse.Name, keys, Tree!.Listing, parsed.SelectMany(u => u.Dependencies).Concat(Tree.Files), detection);
            }
            return detection;
        }
    }

    /// <summary>
    /// Collects the whole heap and gives its free memory back to the system, between parse stages. Once folded, a
    /// configuration's parsed units are garbage in the oldest generation, which the collector reclaims late: on
    /// xnu-11417 x86_64 the heap grew by ~850 MB over the configurations stage with none of it alive at its end. The
    /// next configuration's parse allocates through libclang's malloc, which cannot reuse memory the managed heap keeps.
    /// A few collections a scan (one before each configuration parsed and one after), each well under a second on that tree.
    /// </summary>
    private static void ReleaseGarbage() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>
    /// The parses of a configuration group that are worth a collection of the whole heap before them (<see cref="ReleaseGarbage"/>):
    /// a few units' libclang memory fits in what malloc already holds, the garbage of hundreds does not.
    /// </summary>
    private const int ManyParses = 16;

    /// <summary>Every detector over the parsed units: the context they read (the driver inventory reads it too) and their findings.</summary>
    private static (DetectionContext Context, IReadOnlyCollection<Finding> Findings) Detect(ImmutableArray<IDetector> detectors, RuleSet rules,
        ScanRequest request, string root, DiscoveryResult discovery, ImmutableArray<ParsedUnit> parsed, SourceTexts texts, FunctionReach reach,
        bool compiledSitesOnly = false)
    {
        var context = new DetectionContext
        {
            CompiledSitesOnly = compiledSitesOnly,
            Jobs = Math.Max(1, request.Jobs),
            Root = root,
            Rules = rules,
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
        return (context, sink.Findings);
    }

    /// <summary>The ignore file the request names, else the root's own when it has one, else none.</summary>
    private static Checked<ImmutableArray<IgnoreEntry>> IgnoreEntries(ScanRequest request, string root)
    {
        var path = request.IgnoreFile ?? Path.Combine(root, Suppressions.DefaultFileName);
        return request.IgnoreFile is not null || RegularFiles.Exists(path) ? Suppressions.ParseIgnoreFile(path) : Checked<ImmutableArray<IgnoreEntry>>.Of([]);
    }

    internal static ImmutableArray<ParsedUnit> ParseAll(ImmutableArray<SourceUnit> units, ImmutableArray<ICollectorSource> sources,
        string root, SourceTexts texts, FunctionReach reach, ScanRequest request,
        ImmutableSortedDictionary<string, string> overlays, ResultCache? cache, Workers.ParseWorkerPool? workers)
    {
        if (units.IsEmpty)
        {
            return [];
        }
        using var parses = new UnitParses(units, sources, root, texts, reach, request, overlays, cache, workers);
        UnitParses.ParseMissing([parses], request.Jobs);
        return parses.Finish();
    }

    /// <summary>
    /// One stage's units (the own units, or one configuration group's) parsed in two steps: looked up in the result
    /// cache when made, then the units it did not hold parsed (<see cref="ParseMissing"/>, which takes several stages'
    /// at once) and the displaced ones parsed again (<see cref="Finish"/>).
    /// </summary>
    private sealed class UnitParses : IDisposable
    {
        private readonly ImmutableArray<SourceUnit> _units;
        private readonly ParsedUnit?[] _results;
        private readonly string _root;
        private readonly SourceTexts _texts;
        private readonly FunctionReach _reach;
        private readonly ScanRequest _request;
        private readonly ResultCache? _cache;
        private readonly SharedStrings _strings = new();
        private readonly ScanProgressTracker _progress;
        private readonly FunctionReach.CachedReach? _cachedReach;
        private readonly IUnitReader _parser;

        /// <param name="pack">The stage's own pack of facts to look units up in first (a configuration group's); none: the cache's.</param>
        public UnitParses(ImmutableArray<SourceUnit> units, ImmutableArray<ICollectorSource> sources, string root, SourceTexts texts, FunctionReach reach,
            ScanRequest request, ImmutableSortedDictionary<string, string> overlays, ResultCache? cache, Workers.ParseWorkerPool? workers,
            UnitFactsPack? pack = null)
        {
            (_units, _root, _texts, _reach, _request, _cache) = (units, root, texts, reach, request, cache);
            _results = new ParsedUnit?[units.Length];
            _progress = new ScanProgressTracker(units.Length, request.Progress, request.ProgressDetail);
            if (cache is not null)
            {
                var options = Options(request.Jobs);
                Parallel.For(0, units.Length, options, i => _results[i] = cache.TryLoad(units[i], _strings, pack));
                pack?.Release();
                // What cached units reached: a unit parsed now walks a header body only when no cached unit before it reached it.
                _cachedReach = reach.Reach(_results);
                Parallel.For(0, units.Length, options, i =>
                {
                    if (_results[i] is { } hit)
                    {
                        var scope = new UnitScope { Unit = units[i], Root = root, Texts = texts };
                        foreach (var source in sources)
                        {
                            source.Restore(hit, scope);
                        }
                    }
                });
                _progress.Cached(_results.Count(r => r is not null));
            }
            Missing = [.. Enumerable.Range(0, units.Length).Where(i => _results[i] is null)];
            _parser = workers?.Stage(sources, reach, root, request.RulesDirectory, overlays) ?? new UnitParser(sources, reach, overlays);
        }

        /// <summary>The indexes of the units the cache did not hold, in discovery order.</summary>
        public int[] Missing { get; }

        /// <summary>
        /// The missing units of every stage of BATCHES parsed, JOBS at a time: a `.c` edit's re-scan parses the edited unit
        /// once in each configuration group that builds it, one unit a group, which one group at a time left all cores
        /// but one idle. The stages share no state: each has its parser, reach and detectors.
        /// </summary>
        public static void ParseMissing(IReadOnlyList<UnitParses> batches, int jobs) =>
            ParseEach([.. batches.SelectMany(batch => batch.Missing.Select(i => (batch, i)))], jobs);

        /// <summary>
        /// The units displaced from the header bodies they walked parsed again (see below), and every unit's facts. Each
        /// header body is walked by the first unit in discovery order that reaches it, whatever the threads did and
        /// whatever scan a cached unit's facts come from: a unit that walked one it is not the first to reach (another
        /// thread got there first), or left unwalked one it now is the first to reach (the unit that walked it in the
        /// cached scan is edited or gone), is parsed again, once the first reacher of every body is known.
        /// </summary>
        public ImmutableArray<ParsedUnit> Finish()
        {
            for (var round = 0; round < 3; round++)
            {
                var again = (round == 0 && _cachedReach is not null ? _cachedReach.Displaced(_results!, Missing) : FunctionReach.Displaced(_results!)).ToArray();
                if (again.Length == 0)
                {
                    break;
                }
                _reach.Settle(_results!);
                ParseEach([.. again.Select(i => (this, i))], _request.Jobs);
            }
            // The translation units are gone: what malloc kept of them is of no use to the stages after (nor to the
            // managed heap, which maps its own memory).
            NativeHeap.Trim();
            return _results.ToImmutableArray()!;
        }

        public void Dispose() => _parser.Dispose();

        private static ParallelOptions Options(int jobs) => new() { MaxDegreeOfParallelism = Math.Max(1, jobs) };

        private static void ParseEach((UnitParses Batch, int Index)[] work, int jobs)
        {
            if (work.Length == 0)
            {
                return;
            }
            // A supervised scan's suspects first, one at a time: if one crashes the parser, the journal names it alone.
            var suspects = work.Where(w => w.Batch._request.Journal is { } journal && journal.IsSuspect(w.Batch._units[w.Index])).ToArray();
            foreach (var (batch, i) in suspects)
            {
                batch.ParseOne(i);
            }
            // In discovery order, not largest first (a shorter tail): each header body is walked by the first unit in
            // discovery order that reaches it, and a later unit that got there first is parsed again (displaced), so
            // any other order would parse many of the largest units twice.
            var rest = suspects.Length == 0 ? work : [.. work.Except(suspects)];
            Parallel.ForEach(Partitioner.Create(0, rest.Length, 1), Options(jobs), range =>
            {
                for (var k = range.Item1; k < range.Item2; k++)
                {
                    rest[k].Batch.ParseOne(rest[k].Index);
                }
            });
        }

        private void ParseOne(int i)
        {
            var scope = new UnitScope { Unit = _units[i], Root = _root, Texts = _texts, Strings = _strings, Rank = i };
            var token = _progress.Start(_units[i]);
            _results[i] = _request.Journal is not { } journal ? _parser.Parse(scope, _request.UnitTimeout) : JournalledParse(journal, _parser, scope, _request.UnitTimeout);
            _progress.Finish(token);
            _cache?.Store(_results[i]!);
        }
    }

    /// <summary>
    /// SCOPE's unit parsed between its two journal lines, or the failure an earlier run's crash on it gave it. A unit
    /// abandoned at the timeout is not journalled done: its thread may still be inside libclang, and crash it there.
    /// </summary>
    private static ParsedUnit JournalledParse(Workers.ParseJournal journal, IUnitReader parser, UnitScope scope, TimeSpan timeout)
    {
        if (journal.Crashed(scope.Unit) is { } crashed)
        {
            return crashed;
        }
        journal.Started(scope.Unit);
        var parsed = parser.Parse(scope, timeout);
        if (parsed.Errors.Length == 0 || !parsed.Errors[0].Message.StartsWith(UnitParser.TimeoutReason, StringComparison.Ordinal))
        {
            journal.Finished(scope.Unit);
        }
        return parsed;
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

/// <summary>
/// The request's serialized form in a scan's identity, from source-generated metadata: reflection over ScanRequest cost
/// ~0.1 s of an unchanged re-scan's ~0.8 s. Fields included: the shard is a tuple, whose items are fields (without them
/// every shard had one identity).
/// </summary>
[JsonSourceGenerationOptions(IncludeFields = true)]
[JsonSerializable(typeof(ScanRequest))]
[JsonSerializable(typeof(ImmutableArray<IgnoreEntry>))]
internal sealed partial class ScanIdentityJson : JsonSerializerContext;
