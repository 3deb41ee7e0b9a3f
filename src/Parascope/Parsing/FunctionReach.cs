using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Parascope.Parsing;

/// <summary>A header function a unit's walk reached, and whether this unit walked its body (the first unit of its arch to reach it did).</summary>
public readonly record struct ReachedFunction(string File, string Function, bool Walked);

/// <summary>
/// Lets the walk enter each function body defined in a header once per arch: an inline in a header included by
/// 400 units is walked once, reported once, with 400 units. Each unit keeps what it reached
/// (<see cref="ParsedUnit.Reached"/>), so the counts come from the units and a unit read back from the result cache
/// takes part like a parsed one: it claims the bodies it walked when it was parsed (<see cref="Claim"/>).
/// </summary>
public sealed class FunctionReach
{
    private readonly ConcurrentDictionary<(string File, string Function, string Arch), byte> _walked = new();

    /// <summary>True for the first unit of ARCH to reach the function, which walks it.</summary>
    public bool Enter(string file, string function, string arch) => _walked.TryAdd((file, function, arch), 0);

    /// <summary>
    /// Marks the bodies UNIT walked as walked, all or nothing: false (and nothing marked) when another unit already
    /// walked one of them, so that no body is reported twice.
    /// </summary>
    public bool Claim(ParsedUnit unit)
    {
        var arch = unit.Unit.Arch;
        var claimed = new List<(string, string, string)>();
        foreach (var reached in unit.Reached)
        {
            if (!reached.Walked)
            {
                continue;
            }
            if (!_walked.TryAdd((reached.File, reached.Function, arch), 0))
            {
                foreach (var key in claimed)
                {
                    _walked.TryRemove(key, out _);
                }
                return false;
            }
            claimed.Add((reached.File, reached.Function, arch));
        }
        return true;
    }

    /// <summary>Gives back the bodies UNIT walked, before it is parsed again.</summary>
    public void Release(ParsedUnit unit)
    {
        foreach (var reached in unit.Reached.Where(r => r.Walked))
        {
            _walked.TryRemove((reached.File, reached.Function, unit.Unit.Arch), out _);
        }
    }

    /// <summary>
    /// Functions some unit reached that no unit walked (the unit that walked one, in the scan its facts came from,
    /// was edited or is gone), each with the first unit that reached it.
    /// </summary>
    public static ImmutableArray<(string File, string Function, string Arch, int Unit)> Unwalked(IReadOnlyList<ParsedUnit> units)
    {
        var walked = new HashSet<(string, string, string)>();
        foreach (var unit in units)
        {
            foreach (var reached in unit.Reached.Where(r => r.Walked))
            {
                walked.Add((reached.File, reached.Function, unit.Unit.Arch));
            }
        }
        var unwalked = new Dictionary<(string, string, string), int>();
        for (var i = 0; i < units.Count; i++)
        {
            foreach (var reached in units[i].Reached)
            {
                var key = (reached.File, reached.Function, units[i].Unit.Arch);
                if (!walked.Contains(key))
                {
                    unwalked.TryAdd(key, i);
                }
            }
        }
        return [.. unwalked.Select(entry => (entry.Key.Item1, entry.Key.Item2, entry.Key.Item3, entry.Value))];
    }

    /// <summary>How many times units reached each function (every arch together), keyed by file and function.</summary>
    public static IReadOnlyDictionary<(string File, string Function), int> Counts(IEnumerable<ParsedUnit> units)
    {
        var counts = new Dictionary<(string File, string Function), int>();
        foreach (var unit in units)
        {
            foreach (var reached in unit.Reached)
            {
                counts[(reached.File, reached.Function)] = counts.GetValueOrDefault((reached.File, reached.Function)) + 1;
            }
        }
        return counts;
    }
}
