using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Parascope.Parsing;

namespace Parascope.Detectors;

/// <summary>
/// A detector's lexical scan of one file depends on the file's text and the rules' names only. Every detector of one
/// scan — the scan's own and the fresh ones each configuration and board gets (ScanPipeline.ConfigurationSitesOf) —
/// reads the same texts, so they share the scans instead of each group scanning every file its units read again
/// (a warm xnu-11417 scan re-lexed every file once per group: most of its detect phase). Kept with the texts, so the
/// scans live as long as the scan that read them; RULES tells apart scans made with other names.
/// </summary>
internal static class SharedScans<T> where T : class
{
    private static readonly ConditionalWeakTable<SourceTexts, ConcurrentDictionary<(string Rules, string Path), T>> ByTexts = new();

    public static T Get<TState>(SourceTexts texts, string rules, string path, TState state, Func<string, TState, T> scan) =>
        ByTexts.GetValue(texts, static _ => new ConcurrentDictionary<(string Rules, string Path), T>())
            .GetOrAdd((rules, path), static (key, s) => s.Scan(key.Path, s.State), (Scan: scan, State: state));
}
