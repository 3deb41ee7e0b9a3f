using System.Collections.Concurrent;
using System.Diagnostics;
using Parascope.Caching;
using Parascope.Model;

namespace Parascope;

/// <summary>
/// The parse stage as it goes: units done (cached ones included) out of the total, how many came from the result
/// cache, units per second since the stage began, and the unit being parsed for the longest time right now
/// (null when none is), with the moment it started (a <see cref="Stopwatch"/> timestamp).
/// </summary>
public sealed record ScanProgress(int Done, int Total, int Cached, double UnitsPerSecond, string? Slowest, long SlowestSince)
{
    /// <summary>Seconds the slowest unit has been parsed for, as of now.</summary>
    public double SlowestSeconds => Slowest is null ? 0 : Stopwatch.GetElapsedTime(SlowestSince).TotalSeconds;
}

/// <summary>Where a scan's time went and what the result cache did; for --timings and the benchmark.</summary>
public sealed record ScanStatistics
{
    public int Units { get; init; }
    public long DiscoverMs { get; init; }
    /// <summary>Cache look-ups, parses and cache writes.</summary>
    public long ParseMs { get; init; }
    public long DetectMs { get; init; }
    /// <summary>The call graph and the findings' impact on it.</summary>
    public long GraphMs { get; init; }
    /// <summary>Everything after: driver inventory, suppressions, the port interface, the baseline.</summary>
    public long PlanMs { get; init; }
    public ResultCacheStatistics? Cache { get; init; }
    /// <summary>Whether the whole scan's kept result was used, or kept after this scan.</summary>
    public WholeScanUse WholeScan { get; init; }
    /// <summary>Whether the whole-scan look-up was left out, its supervisor having just made it (<see cref="ScanRequest.WholeScanMissed"/>).</summary>
    public bool WholeScanLookedUpBySupervisor { get; init; }
    /// <summary>Lexical scans taken back from the last scan's store and made anew (null: no store).</summary>
    public (int Reused, int Made)? LexicalScans { get; init; }
    /// <summary>Configuration and board groups whose detection was taken back from the last scan's store, and detected anew (null: no store).</summary>
    public (int Reused, int Made)? ConfigurationGroups { get; init; }
    /// <summary>Whether discovery's result was taken back from its memo of the last scan (Discovery/Xnu/DiscoveryMemo.cs).</summary>
    public bool DiscoveryKept { get; init; }
    /// <summary>Memory at the end of each phase, in phase order (where the peak was reached: the first phase showing it).</summary>
    public System.Collections.Immutable.ImmutableArray<PhaseMemory> Memory { get; init; } = [];
}

/// <summary>
/// The process's memory at a phase's end: the managed heap after the last collection, the memory the collector has
/// committed, the process's resident set now and its peak so far. Resident minus committed is roughly native memory
/// (libclang's translation units, the runtime, mapped code).
/// </summary>
public sealed record PhaseMemory(string Phase, long HeapBytes, long CommittedBytes, long ResidentBytes, long PeakResidentBytes)
{
    /// <summary>Bytes the process allocated on the managed heap up to the phase's end (what the collector has to reclaim).</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>
    /// Set (to anything) in the environment, each sample first collects the whole heap, so that the heap figure is what
    /// is alive at the phase's end, not what the collector has not yet reclaimed (a diagnosis: it changes the peak).
    /// </summary>
    public const string LiveVariable = "PARASCOPE_MEMORY_LIVE";

    public static PhaseMemory Now(string phase)
    {
        if (Environment.GetEnvironmentVariable(LiveVariable) is { Length: > 0 })
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        var info = GC.GetGCMemoryInfo();
        using var process = Process.GetCurrentProcess();
        return new PhaseMemory(phase, info.HeapSizeBytes, info.TotalCommittedBytes, process.WorkingSet64, process.PeakWorkingSet64)
        {
            AllocatedBytes = GC.GetTotalAllocatedBytes(),
        };
    }
}

/// <summary>Counts units as the parse stage goes and tells the request's progress callbacks.</summary>
internal sealed class ScanProgressTracker
{
    private readonly int _total;
    private readonly Action<int, int>? _progress;
    private readonly Action<ScanProgress>? _detail;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly ConcurrentDictionary<int, (string Unit, long Since)> _running = new();
    private int _done;
    private int _cached;
    private int _next;

    public ScanProgressTracker(int total, Action<int, int>? progress, Action<ScanProgress>? detail)
    {
        _total = total;
        _progress = progress;
        _detail = detail;
    }

    public void Cached(int count)
    {
        _cached = count;
        if (count > 0)
        {
            Report(Interlocked.Add(ref _done, count));
        }
    }

    public int Start(SourceUnit unit)
    {
        var token = Interlocked.Increment(ref _next);
        if (_detail is not null)
        {
            _running[token] = ($"{unit.RelativePath} ({unit.Arch})", Stopwatch.GetTimestamp());
        }
        return token;
    }

    public void Finish(int token)
    {
        _running.TryRemove(token, out _);
        Report(Interlocked.Increment(ref _done));
    }

    private void Report(int done)
    {
        done = Math.Min(done, _total);
        _progress?.Invoke(done, _total);
        if (_detail is null)
        {
            return;
        }
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        string? slowest = null;
        var since = long.MaxValue;
        foreach (var running in _running.Values)
        {
            if (running.Since < since)
            {
                (slowest, since) = running;
            }
        }
        _detail(new ScanProgress(done, _total, _cached, seconds > 0 ? done / seconds : 0, slowest, slowest is null ? 0 : since));
    }
}
