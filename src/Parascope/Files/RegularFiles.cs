using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Parascope.Model;

namespace Parascope.Files;

/// <summary>
/// Opens a file of the scanned tree only when it is a regular file (links followed). A FIFO blocks open() until a
/// writer comes (a scan hung on one for ten minutes, --unit-timeout or not: the read was not a unit's), a character
/// device such as /dev/zero never ends, a socket cannot be read: each is skipped, never opened, and discovery warns
/// once per path (Discovery's FileInventory.Skipped). File.Exists is true for all of them, so tree code asks here.
/// </summary>
public static partial class RegularFiles
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    // struct statx is the same on every Linux arch: stx_mode (u16) at offset 28 of a 256-byte buffer.
    private const int ModeOffset = 28;
    private static bool _statx = OperatingSystem.IsLinux();

    /// <summary>True when PATH (links followed) is a regular file; false when it is missing, a folder or anything else.</summary>
    public static bool Exists(string path) => KindOf(path) == FileKind.Regular;

    /// <summary>True when PATH is a regular file and not a link (a walk of the tree takes only these, as the inventory does).</summary>
    public static bool IsPlain(string path) => KindOf(path) == FileKind.Regular && new FileInfo(path).LinkTarget is null;

    /// <summary>What PATH is, links followed; <see cref="FileKind.Regular"/> too where the system cannot say (not Linux).</summary>
    public static FileKind KindOf(string path)
    {
        var kind = KindNow(path);
        ReadLog.NoteProbe(ProbeKind.Kind, path, kind.ToString());
        return kind;
    }

    private static FileKind KindNow(string path)
    {
        if (!_statx)
        {
            return File.Exists(path) ? FileKind.Regular : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
        }
        var buffer = new byte[256];
        int result;
        try
        {
            result = Statx(AtFdCwd, path, 0, StatxType, buffer);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _statx = false;
            return KindOf(path);
        }
        if (result != 0)
        {
            return FileKind.Missing;
        }
        return (BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
    }

    /// <summary>
    /// Null when PATH (an input named on the command line: a baseline, an ignore file, a compile database, a report) is a
    /// regular file; else the one-line input error naming what it is instead. Asked before opening: File.Exists is true
    /// for a FIFO, whose open blocks until a writer comes (a scan given one as --baseline waited forever).
    /// </summary>
    public static InputError? Check(string path, string what) => KindOf(path) switch
    {
        FileKind.Regular => null,
        FileKind.Missing => new InputError($"{path}: no such {what}"),
        FileKind.Directory => new InputError($"{path}: is a folder; the {what} must be a regular file"),
        var kind => new InputError($"{path}: {Describe(kind)}; the {what} must be a regular file (never opened)"),
    };

    /// <summary>"a FIFO", "a socket"…: how a warning names a file that is not regular.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Missing => "a dangling link",
        FileKind.Directory => "a folder",
        _ => "not a regular file",
    };

    /// <summary>
    /// File.ReadAllText of a regular file, the same string; an IOException naming the kind for anything else (never
    /// opened). Read whole at its length and decoded in one call: File.ReadAllText's reader grows a StringBuilder block by
    /// block and copies it out, which made reading the tree's sources (discovery's, detection's and the suppressions'
    /// reads, ~1.2 s of CPU in a re-scan of xnu-11417) cost twice what decoding does.
    /// </summary>
    public static string ReadAllText(string path) =>
        ReadBytes(path, static bytes => Decoded(bytes), FileShare.Read) ?? File.ReadAllText(path);

    /// <summary>
    /// The content digest every cache and memo compares (SHA-256, upper-case hex): the result cache's file digests, the
    /// source scans' and the discovery memo's, which are compared with each other.
    /// </summary>
    public static string DigestOf(ReadOnlySpan<byte> bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));

    /// <summary>
    /// <see cref="DigestOf(ReadOnlySpan{byte})"/> of the regular file PATH's content: read whole and hashed in one call
    /// (hashing a stream went through a FileStream and its buffer for every file the units read); a file too large to
    /// read whole is hashed as a stream, to the same digest.
    /// </summary>
    public static string DigestOf(string path)
    {
        if (ReadBytes(path, static bytes => DigestOf(bytes), FileShare.ReadWrite) is { } digest)
        {
            return digest;
        }
        using var stream = OpenRead(path, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>What USE makes of the bytes of PATH.</summary>
    public delegate T BytesReader<out T>(ReadOnlySpan<byte> bytes);

    /// <summary>
    /// What USE makes of the whole content of the regular file PATH, read at its length into a pooled buffer (returned
    /// once USE is done: it must not keep the span); default for a file over <see cref="MaxWholeRead"/>, which the caller
    /// reads its own way. An IOException naming the kind for anything but a regular file (never opened).
    /// </summary>
    public static T? ReadBytes<T>(string path, BytesReader<T> use, FileShare share)
    {
        Require(path);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, share);
        var length = RandomAccess.GetLength(handle);
        if (length > MaxWholeRead)
        {
            return default;
        }
        // One byte more than the length: a file that grew since is read on to its end, as File.ReadAllText would.
        var (buffer, count) = PooledRead.ToEnd((int)length + 1, (into, offset) => RandomAccess.Read(handle, into.AsSpan(offset), offset));
        try
        {
            return use(buffer.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Files read whole at their length (larger ones, never a source, as File.ReadAllText reads them).</summary>
    private const long MaxWholeRead = 256L * 1024 * 1024;

    /// <summary>
    /// BYTES as File.ReadAllText decodes a file: UTF-8 (invalid sequences as U+FFFD) after a UTF-8 byte order mark or
    /// none; a file that may start with another encoding's mark (UTF-16 or UTF-32) is read by the same reader as there.
    /// </summary>
    internal static string Decoded(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return Encoding.UTF8.GetString(bytes[3..]);
        }
        if (bytes.Length >= 2 && (bytes[0] is 0xFE or 0xFF || bytes[0] == 0 && bytes[1] == 0))
        {
            using var reader = new StreamReader(new MemoryStream(bytes.ToArray()), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>File.ReadAllLines of a regular file; an IOException naming the kind for anything else (never opened).</summary>
    public static string[] ReadAllLines(string path)
    {
        Require(path);
        return File.ReadAllLines(path);
    }

    /// <summary>File.ReadLines of a regular file; an IOException naming the kind for anything else (never opened).</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        Require(path);
        return File.ReadLines(path);
    }

    /// <summary>File.ReadAllBytes of a regular file; an IOException naming the kind for anything else (never opened).</summary>
    public static byte[] ReadAllBytes(string path)
    {
        Require(path);
        return File.ReadAllBytes(path);
    }

    /// <summary>A FileStream over a regular file; an IOException naming the kind for anything else (never opened).</summary>
    public static FileStream OpenRead(string path, FileShare share = FileShare.Read, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        Require(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, share, bufferSize, options);
    }

    private static void Require(string path)
    {
        ReadLog.Note(path);
        var kind = KindOf(path);
        if (kind is not FileKind.Regular and not FileKind.Missing)
        {
            throw new IOException($"{path}: {Describe(kind)}, not read");
        }
    }


    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte[] buffer);
}

/// <summary>What a path is, links followed.</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Other,
}
