using System.Collections.Concurrent;
using Parascope.Files;

namespace Parascope.Parsing;

/// <summary>
/// One string per distinct file path or function name for the units parsed together. Each unit names the same
/// headers, header functions and callees as hundreds of others (libclang hands every unit its own copies), and its
/// facts are kept until the call graph is built: on xnu-2050 x86_64 the heap held 1.3 million small strings, most of
/// them repeats (docs/speed.md, "Where the memory goes").
/// </summary>
public sealed class SharedStrings : IStringPool
{
    // Striped for every thread adding at once: a re-scan adds a whole tree's names (~63,000 distinct strings in the 1,852
    // unit entries of xnu-11417 x86_64, its own units and configuration variants) within its first second, and with the
    // default two locks the threads waited for each other (~0.1 s of CPU per re-scan, spinning). Not sized up front: a
    // table for the large trees would be a large-object allocation for every small scan.
    private readonly ConcurrentDictionary<string, string> _strings = new(concurrencyLevel: 64, capacity: 31, StringComparer.Ordinal);

    /// <summary>The string equal to VALUE that this pool handed out first, else VALUE itself.</summary>
    public string Share(string value) => _strings.GetOrAdd(value, value);

    /// <summary>The shared string of these characters; a new one only for characters not seen before.</summary>
    public string Share(ReadOnlySpan<char> value)
    {
        if (_strings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(value, out var shared))
        {
            return shared;
        }
        var made = new string(value);
        return _strings.GetOrAdd(made, made);
    }
}
