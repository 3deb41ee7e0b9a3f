using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// The file of a memo discovery keeps in the tree's cache folder for the next scan (<see cref="MigMemo"/>,
/// <see cref="SourceScans"/>): a <see cref="Frame"/> of tabled JSON (<see cref="LeanReading.WriteTabled"/>) stamped with
/// the engine's build, since what a memo holds is the code's reading as much as the files'. Written atomically; a missing,
/// damaged or foreign file, or one of another build, is no memo.
/// </summary>
internal static class MemoFile
{
    /// <summary>The engine's build: a memo of another build is not read.</summary>
    public static readonly string Build = typeof(MemoFile).Assembly.ManifestModule.ModuleVersionId.ToString();

    /// <summary>The entries of the memo at PATH when it is intact, of this build and every entry WHOLE; empty otherwise.</summary>
    public static List<TEntry> Read<TFile, TEntry>(string path, ReadOnlySpan<byte> magic, uint version, JsonTypeInfo<TFile> type,
        Func<TFile, (string? Build, List<TEntry>? Entries)> parts, Func<TEntry?, bool> whole) where TFile : class =>
        ReadFile(path, magic, version, type, file => parts(file) is { Build: { } build, Entries: { } entries } && build == Build && entries.All(whole))
            is { } kept ? parts(kept).Entries! : [];

    /// <summary>The memo at PATH when it is intact and WHOLE (which checks its build against <see cref="Build"/>); null otherwise.</summary>
    public static TFile? ReadFile<TFile>(string path, ReadOnlySpan<byte> magic, uint version, JsonTypeInfo<TFile> type, Func<TFile, bool> whole)
        where TFile : class
    {
        try
        {
            using var content = RegularFiles.Exists(path) ? Frame.Inflate(File.ReadAllBytes(path), magic, version) : null;
            return content is not null && LeanReading.ReadTabled(content.Span, type) is { } file && whole(file) ? file : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or NotSupportedException
            or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Writes FILE to PATH (a memo costs speed, never the scan: a failed write is no memo).</summary>
    public static void Write<TFile>(string path, ReadOnlySpan<byte> magic, uint version, TFile file, JsonTypeInfo<TFile> type) =>
        Frame.WriteFile(path, Frame.Wrap(magic, version, LeanReading.WriteTabled(file, type)));
}
