using System.Collections.Concurrent;
using Parascope.Files;

namespace Parascope.Caching;

/// <summary>
/// The stores a scan read back from the cache (the lexical scans, the configuration groups, the kept digests, the units'
/// packs), kept decoded by a process that scans the same tree again: `scan --watch`. Each of its scans read and decoded
/// every store file again though most were the very files the scan before had read or written: on xnu-11417 x86_64 a
/// `.c` edit's re-scan spent ~1.1 s of CPU on two cores there (the lexical scans 0.5 s, the units' pack 0.4 s, the
/// groups 0.2 s), a third of the scan. A store is taken back while its file has the size and time it had once read
/// (and touched: <see cref="WholeScanCache.Touch"/>); a file written since, by this process or another sharing the cache,
/// is read again. Only values nothing changes once read are kept (the stores' dictionaries are looked up, never written,
/// after their read), and each store checks every entry it gives against the files' content as when read from disk, so
/// a file replaced between its read and its stamp (another scan's write) costs entries, never a wrong one.
/// </summary>
public sealed class DecodedStores
{
    private readonly ConcurrentDictionary<string, (FileStamp Stamp, object Value)> _kept = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _takenOf = new(StringComparer.Ordinal);

    /// <summary>Stores taken back so far, over every scan.</summary>
    public int Taken => _takenOf.Values.Sum();

    /// <summary>How many times the store at PATH was taken back, over every scan.</summary>
    public int TakenOf(string path) => _takenOf.GetValueOrDefault(path);

    /// <summary>
    /// The store kept for PATH while the file is as it was then, touched again as a read touches it (so that the cache's
    /// trim keeps what the watch uses); null otherwise.
    /// </summary>
    public T? TryTake<T>(string path)
        where T : class
    {
        if (!_kept.TryGetValue(path, out var kept) || kept.Value is not T value || FileStamp.Of(path) != kept.Stamp)
        {
            return null;
        }
        WholeScanCache.Touch(path);
        Keep(path, value);
        _takenOf.AddOrUpdate(path, 1, (_, n) => n + 1);
        return value;
    }

    /// <summary>Lets go of the store kept for PATH (one about to be written anew: kept, it would only hold memory).</summary>
    public void Forget(string path) => _kept.TryRemove(path, out _);

    /// <summary>Keeps VALUE, the store just read from PATH, under the file's stamp now (none when it is gone: not kept).</summary>
    public void Keep(string path, object value)
    {
        if (FileStamp.Of(path) is { } stamp)
        {
            _kept[path] = (stamp, value);
        }
        else
        {
            _kept.TryRemove(path, out _);
        }
    }
}
