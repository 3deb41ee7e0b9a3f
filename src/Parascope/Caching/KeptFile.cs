using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Parascope.Files;
using Parascope.Parsing;

namespace Parascope.Caching;

/// <summary>
/// The file of a store kept beside a whole-scan entry (the lexical scans, the configuration groups): one JSON value, its
/// strings in a table (<see cref="LeanReading.WriteTabled"/>), in a <see cref="Frame"/>, written atomically (a concurrent scan reads the old file or the new one), read whole or not
/// at all: a missing, damaged or foreign file, or one whose value the store does not take, is no store.
/// </summary>
internal static class KeptFile
{
    /// <summary>
    /// What TAKE makes of the value at PATH (null: the store refuses it), or null when there is no intact frame of this
    /// MAGIC and VERSION there. A file taken is touched, so that the cache's trim keeps what scans use. STRINGS: the
    /// strings read are shared through it (<see cref="LeanReading"/>; none: not shared). DECODED: the stores a watch
    /// keeps between its scans, taken back from there while the file is unchanged, and kept there once read.
    /// </summary>
    public static TStore? Read<T, TStore>(string path, ReadOnlySpan<byte> magic, uint version, JsonTypeInfo<T> type, Func<T, TStore?> take,
        SharedStrings? strings = null, DecodedStores? decoded = null)
        where TStore : class
    {
        if (decoded?.TryTake<TStore>(path) is { } kept)
        {
            return kept;
        }
        try
        {
            var frame = File.ReadAllBytes(path);
            using var content = Frame.Inflate(frame, magic, version);
            using var sharing = LeanReading.Share(strings);
            if (content is null || LeanReading.ReadTabled(content.Span, type) is not { } value || take(value) is not { } store)
            {
                return null;
            }
            WholeScanCache.Touch(path);
            decoded?.Keep(path, store);
            return store;
        }
        // Intact bytes of another writer can still hold what the store's checks did not foresee: nothing is trusted.
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or NotSupportedException
            or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes VALUE to PATH with each distinct string once (<see cref="LeanReading.WriteTabled"/>: TYPE's context lists
    /// <see cref="LeanReading.StringConverter"/>); false when it could not be written: a store costs speed, never the scan.
    /// </summary>
    public static bool Write<T>(string path, ReadOnlySpan<byte> magic, uint version, T value, JsonTypeInfo<T> type) =>
        Frame.WriteFile(path, Frame.Wrap(magic, version, LeanReading.WriteTabled(value, type)));
}
