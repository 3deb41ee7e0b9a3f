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
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);

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
