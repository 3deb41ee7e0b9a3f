using System.Collections.Immutable;
using System.IO.Compression;
using System.Text;
using Parascope.Discovery;
using Parascope.Files;

namespace Parascope.Caching;

/// <summary>
/// The tree's listing and snapshot a supervisor took for its whole-scan look-up, handed on a miss to the scan it starts
/// (a file in the scan's journal folder), so that the scan does not list the tree and look at every file again: 0.08 s
/// of xnu-792's re-scan after a `.c` edit, 0.14 s of xnu-11417's (docs/speed.md, session 29). The snapshot stays one
/// taken before any file of the tree was read, which is all a whole-scan entry asks of it. The scan takes it only for
/// the same tree and the same miss (<see cref="ScanRequest.WholeScanMissed"/>), and once: a scan started again after a
/// crash lists the tree itself. A damaged or foreign file is no hand-over.
/// </summary>
public static class HandedTree
{
    /// <summary>The hand-over's file name in the journal folder.</summary>
    public const string FileName = "tree.handed";

    private const uint Version = 1;
    private static ReadOnlySpan<byte> Magic => "PSHT"u8;

    /// <summary>Writes FILES and SNAPSHOT into FOLDER for the scan that is told MISS; false when it could not be written.</summary>
    public static bool Write(string folder, string miss, FileInventory files, TreeSnapshot snapshot)
    {
        using var content = new MemoryStream();
        using (var writer = new BinaryWriter(content, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(miss);
            writer.Write(files.Root);
            writer.Write(snapshot.Stamps.Taken.Ticks);
            writer.Write(files.RelativePaths.Length);
            foreach (var relative in files.RelativePaths)
            {
                writer.Write(relative);
                var stamp = snapshot.Stamps.StampOf(relative);
                writer.Write(stamp.HasValue);
                writer.Write(stamp?.Size ?? 0);
                writer.Write(stamp?.Ticks ?? 0);
            }
            writer.Write(files.Skipped.Length);
            foreach (var (relative, kind) in files.Skipped)
            {
                writer.Write(relative);
                writer.Write((int)kind);
            }
        }
        // Stored, not deflated: it crosses to the next process through the page cache.
        return Frame.WriteFile(Path.Combine(folder, FileName),
            Frame.Wrap(Magic, Version, content.GetBuffer().AsSpan(0, (int)content.Length), CompressionLevel.NoCompression));
    }

    /// <summary>
    /// The listing and snapshot handed in FOLDER for the scan of ROOT told MISS, or null (none, another tree's or miss's,
    /// damaged). The file is removed either way.
    /// </summary>
    public static (FileInventory Files, TreeSnapshot Snapshot)? Take(string folder, string root, string miss)
    {
        var path = Path.Combine(folder, FileName);
        byte[] frame;
        try
        {
            frame = File.ReadAllBytes(path);
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        using var content = Frame.Open(frame, Magic, Version);
        if (content is null)
        {
            return null;
        }
        try
        {
            using var reader = new BinaryReader(content, Encoding.UTF8);
            if (reader.ReadString() != miss || reader.ReadString() != root)
            {
                return null;
            }
            var taken = new DateTime(reader.ReadInt64(), DateTimeKind.Utc);
            var paths = ImmutableArray.CreateBuilder<string>(reader.ReadInt32());
            var stamps = new Dictionary<string, FileStamp>(paths.Capacity, StringComparer.Ordinal);
            for (var i = 0; i < paths.Capacity; i++)
            {
                var relative = reader.ReadString();
                var exists = reader.ReadBoolean();
                var stamp = new FileStamp(reader.ReadInt64(), reader.ReadInt64());
                paths.Add(relative);
                if (exists)
                {
                    stamps[relative] = stamp;
                }
            }
            var skipped = ImmutableArray.CreateBuilder<(string, FileKind)>(reader.ReadInt32());
            for (var i = 0; i < skipped.Capacity; i++)
            {
                skipped.Add((reader.ReadString(), (FileKind)reader.ReadInt32()));
            }
            var files = FileInventory.Listed(root, paths.MoveToImmutable(), skipped.MoveToImmutable());
            return (files, TreeSnapshot.Of(files, relative => stamps.TryGetValue(relative, out var stamp) ? stamp : null, taken));
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or InvalidDataException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
