using System.Collections.Concurrent;

namespace Parascope.Files;

/// <summary>
/// The files a piece of work read through <see cref="RegularFiles"/>, noted while it runs: on its thread and on the tasks
/// it starts (an <see cref="AsyncLocal{T}"/>: work started before the log, such as the units' pack decoded ahead, is not
/// in it). Discovery keeps its result by what it read (Discovery/Xnu/DiscoveryMemo): a read this log misses would let a
/// changed file go unseen, so every read of <see cref="RegularFiles"/> is noted, at the one check each goes through.
/// A file read only to learn a few things from it (<see cref="Scanned"/>: the source scans) is noted apart, so that the
/// memo can hold while an edit leaves what was learned the same. Existence checks (<see cref="Probe"/>, and what
/// <see cref="RegularFiles.KindOf"/> says) and folder listings (<see cref="FolderListing"/>) are noted with their answers.
/// </summary>
public sealed class ReadLog
{
    private static readonly AsyncLocal<ReadLog?> Active = new();
    [ThreadStatic] private static bool _scanning;

    private readonly ConcurrentDictionary<string, byte> _read = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _scanned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(ProbeKind Kind, string Path), string> _probed = new();
    private readonly ConcurrentDictionary<(string Folder, string Pattern), string> _listed = new();

    /// <summary>The files read whole or in part, by absolute path.</summary>
    public IReadOnlyCollection<string> Read => [.. _read.Keys];

    /// <summary>The files read only by a scan of their own (see <see cref="Scanning"/>), by absolute path.</summary>
    public IReadOnlyCollection<string> Scanned => [.. _scanned.Keys];

    /// <summary>What each path asked about was, by how it was asked (<see cref="Probe"/>), when it was first asked.</summary>
    public IReadOnlyCollection<KeyValuePair<(ProbeKind Kind, string Path), string>> Probed => [.. _probed];

    /// <summary>Each folder listed for a pattern (<see cref="FolderListing"/>), with a digest of the files it listed, in order.</summary>
    public IReadOnlyCollection<KeyValuePair<(string Folder, string Pattern), string>> Listed => [.. _listed];

    /// <summary>Notes the reads of this thread, and of the tasks it starts, in LOG until the scope is disposed.</summary>
    public static Recording Record(ReadLog log)
    {
        var before = Active.Value;
        Active.Value = log;
        return new Recording(before);
    }

    /// <summary>
    /// PATH read by a scan that keeps only what it learns of it (its keeper compares what was learned, not the file): its
    /// reads on this thread until the scope is disposed are not noted as reads.
    /// </summary>
    public static ScanScope Scanning(string path)
    {
        Active.Value?._scanned.TryAdd(path, 0);
        var outer = _scanning;
        _scanning = true;
        return new ScanScope(outer);
    }

    /// <summary>PATH was read: noted in the active log, unless a scan of it is reading it.</summary>
    internal static void Note(string path)
    {
        if (!_scanning && Active.Value is { } log)
        {
            log._read.TryAdd(path, 0);
        }
    }

    /// <summary>What PATH was when asked (KIND: how; WHAT: the answer), noted in the active log.</summary>
    internal static void NoteProbe(ProbeKind kind, string path, string what)
    {
        if (!_scanning)
        {
            Active.Value?._probed.TryAdd((kind, path), what);
        }
    }

    /// <summary>FOLDER listed for PATTERN gave the files whose digest is DIGEST, noted in the active log.</summary>
    internal static void NoteListing(string folder, string pattern, string digest) => Active.Value?._listed.TryAdd((folder, pattern), digest);

    public readonly struct Recording(ReadLog? before) : IDisposable
    {
        public void Dispose() => Active.Value = before;
    }

    public readonly struct ScanScope(bool outer) : IDisposable
    {
        public void Dispose() => _scanning = outer;
    }
}
