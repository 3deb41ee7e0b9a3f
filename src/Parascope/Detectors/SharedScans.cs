using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Parascope.Parsing;

namespace Parascope.Detectors;

/// <summary>
/// A detector's lexical scan of one file depends on the file's text and the rules' names only. Every detector of one
/// scan — the scan's own and the fresh ones each configuration and board gets (ScanPipeline.VariantSites) —
/// reads the same texts, so they share the scans instead of each group scanning every file its units read again
/// (a warm xnu-11417 scan re-lexed every file once per group: most of its detect phase). Kept with the texts, so the
/// scans live as long as the scan that read them; RULES tells apart scans made with other names.
/// </summary>
internal static class SharedScans<T> where T : class
{
    private static readonly PerScan<(string Rules, string Path), T> Scans = new();

    public static T Get<TState>(SourceTexts texts, string rules, string path, TState state, Func<string, TState, T> scan) =>
        Scans.GetOrAdd(texts, (rules, path), static (key, s) =>
            {
                var store = LexicalScanStores.Of(s.Texts);
                if (store?.TryGet(key.Rules, key.Path) is T kept)
                {
                    return kept;
                }
                var made = s.Scan(key.Path, s.State);
                store?.Add(key.Rules, key.Path, made);
                return made;
            }, (Scan: scan, State: state, Texts: texts));
}

/// <summary>
/// Values made once per scan, whichever of its detectors (the scan's own, each configuration's and board's) asks
/// first: kept with the scan's texts, so they live as long as the scan that read them.
/// </summary>
internal sealed class PerScan<TKey, TValue> where TKey : notnull
{
    private readonly ConditionalWeakTable<SourceTexts, ConcurrentDictionary<TKey, TValue>> _byTexts = new();

    public TValue GetOrAdd<TArgument>(SourceTexts texts, TKey key, Func<TKey, TArgument, TValue> make, TArgument argument) =>
        _byTexts.GetValue(texts, static _ => new ConcurrentDictionary<TKey, TValue>()).GetOrAdd(key, make, argument);
}

/// <summary>
/// Where a scan's lexical scans outlive it (the result cache's <c>LexicalScanStore</c>): a scan made by an earlier
/// scan of the same tree is taken back while its file's content is unchanged, else the file is scanned and the scan
/// added. The scan's values are the same either way, so detection cannot tell.
/// </summary>
public interface ILexicalScanStore
{
    /// <summary>The scan RULES made of PATH (root-relative) when the file still has the content it had then; null otherwise.</summary>
    object? TryGet(string rules, string path);

    /// <summary>Keeps SCAN of PATH, made with RULES, for the next scan.</summary>
    void Add(string rules, string path, object scan);

    /// <summary>
    /// The scan kept under NAME of a set of files (FILES, absolute paths, in the order it read them) when each still has
    /// the content it had then; null otherwise. NAME says everything else the scan depends on (the files' names too).
    /// </summary>
    object? TryGetWhole(string name, IReadOnlyList<string> files);

    /// <summary>Keeps SCAN, made under NAME from FILES, for the next scan.</summary>
    void AddWhole(string name, IReadOnlyList<string> files, object scan);
}

/// <summary>The store each scan's texts are read with (none: every file is scanned).</summary>
public static class LexicalScanStores
{
    private static readonly ConditionalWeakTable<SourceTexts, ILexicalScanStore> ByTexts = new();

    public static void Attach(SourceTexts texts, ILexicalScanStore store) => ByTexts.AddOrUpdate(texts, store);

    public static ILexicalScanStore? Of(SourceTexts texts) => ByTexts.TryGetValue(texts, out var store) ? store : null;
}
