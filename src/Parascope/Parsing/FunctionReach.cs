using System.Collections.Concurrent;

namespace Parascope.Parsing;

/// <summary>
/// Counts how many units reach each function defined in a header, and lets the walk enter each such body
/// once per arch: an inline in a header included by 400 units is walked once, reported once, with 400 units.
/// </summary>
public sealed class FunctionReach
{
    private readonly ConcurrentDictionary<(string File, string Function, string Arch), int> _counts = new();

    /// <summary>Records one more unit reaching the function; true for the first, which walks it.</summary>
    public bool Enter(string file, string function, string arch) =>
        _counts.AddOrUpdate((file, function, arch), 1, static (_, count) => count + 1) == 1;

    /// <summary>A frozen copy for the detection stage, keyed by file and function.</summary>
    public IReadOnlyDictionary<(string File, string Function), int> Snapshot() =>
        _counts.GroupBy(entry => (entry.Key.File, entry.Key.Function))
            .ToDictionary(group => group.Key, group => group.Sum(entry => entry.Value));
}
