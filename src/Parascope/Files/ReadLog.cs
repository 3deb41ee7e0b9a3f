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

/// <summary>How a path's existence was asked: File.Exists, Directory.Exists, or what <see cref="RegularFiles.KindOf"/> says.</summary>
public enum ProbeKind
{
    File,
    Folder,
    Kind,
}

/// <summary>
/// Existence checks whose answers a kept result depends on (discovery's: Discovery/Xnu/DiscoveryMemo), noted in the active
/// <see cref="ReadLog"/>: a folder or a link created where the tree's listing does not look changes what they answer.
/// </summary>
public static class Probe
{
    /// <summary>File.Exists(PATH), noted.</summary>
    public static bool File(string path) => Noted(ProbeKind.File, path, System.IO.File.Exists(path));

    /// <summary>Directory.Exists(PATH), noted.</summary>
    public static bool Folder(string path) => Noted(ProbeKind.Folder, path, Directory.Exists(path));

    /// <summary>The answer to KIND's question about PATH now (what a kept result compares with what was noted).</summary>
    public static string Now(ProbeKind kind, string path) => kind switch
    {
        ProbeKind.File => System.IO.File.Exists(path) ? "yes" : "no",
        ProbeKind.Folder => Directory.Exists(path) ? "yes" : "no",
        _ => RegularFiles.KindOf(path).ToString(),
    };

    private static bool Noted(ProbeKind kind, string path, bool exists)
    {
        ReadLog.NoteProbe(kind, path, exists ? "yes" : "no");
        return exists;
    }
}

/// <summary>Folders listed for a pattern, the listing noted in the active <see cref="ReadLog"/> (its files' digest, in order).</summary>
public static class FolderListing
{
    /// <summary>Directory.EnumerateFiles(FOLDER, PATTERN) in its order, noted.</summary>
    public static string[] Files(string folder, string pattern)
    {
        var files = Directory.EnumerateFiles(folder, pattern).ToArray();
        ReadLog.NoteListing(folder, pattern, DigestOf(files));
        return files;
    }

    /// <summary>The digest of a listing (each path and a newline, SHA-256, hex).</summary>
    public static string DigestOf(IEnumerable<string> files) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Concat(files.Select(f => f + "\n")))));

    /// <summary>
    /// The regular files under FOLDER matching PATTERN, sorted; like the inventory, neither linked folders (a link to `/`
    /// would walk the machine) nor links, FIFOs or devices (<see cref="RegularFiles"/>), nor hidden folders; noted.
    /// </summary>
    public static string[] Tree(string folder, string pattern)
    {
        var files = TreeNow(folder, pattern);
        ReadLog.NoteListing(folder, TreePrefix + pattern, DigestOf(files));
        return files;
    }

    private const string TreePrefix = "tree:";

    private static string[] TreeNow(string folder, string pattern) =>
        Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, pattern, TreeWalk).Where(RegularFiles.IsPlain).Order(StringComparer.Ordinal)] : [];

    /// <summary>A walk of a folder of the tree: recursive, neither into linked folders nor hidden ones.</summary>
    private static readonly EnumerationOptions TreeWalk = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
    };

    /// <summary>FOLDER listed for PATTERN now, as <see cref="Files"/> or <see cref="Tree"/> listed it; null when it cannot be listed.</summary>
    public static string? DigestNow(string folder, string pattern)
    {
        try
        {
            return pattern.StartsWith(TreePrefix, StringComparison.Ordinal)
                ? DigestOf(TreeNow(folder, pattern[TreePrefix.Length..]))
                : DigestOf(Directory.EnumerateFiles(folder, pattern));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
