using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Parascope.Parsing;

/// <summary>A header function a unit's walk reached, and whether this unit walked its body (the first unit of its arch to reach it, in discovery order, does).</summary>
public readonly record struct ReachedFunction(string File, string Function, bool Walked);

/// <summary>A header function, an arch, and the rank of the first unit known to reach it.</summary>
public readonly record struct FirstReach(string File, string Function, string Arch, int Rank);

/// <summary>
/// Lets the walk enter each function body defined in a header once per arch: an inline in a header included by
/// 400 units is walked once, reported once, with 400 units. The unit that walks it is the first in discovery order
/// (the lowest rank) of those that reach it, whatever order the threads parse in, so a scan, and each shard of it,
/// choose the same unit: a header body's calls and sites can differ between units (their macros differ), and
/// `merge` keeps the view of the lowest rank of its shards, which is then the unsharded scan's.
/// <para>
/// While units are parsed in parallel, a unit walks a body unless a unit of lower rank already reached it; a unit
/// of higher rank may have walked it before (it was parsed first). <see cref="Displaced"/> then names the units
/// whose walked bodies are not exactly those they are the first to reach — such a unit, and a unit read back from
/// the result cache that walked in another scan — and after <see cref="Settle"/> their parse again walks exactly
/// those. Each unit keeps what it reached (<see cref="ParsedUnit.Reached"/>), so the counts come from the units.
/// </para>
/// </summary>
public sealed class FunctionReach
{
    private readonly ConcurrentDictionary<(string File, string Function, string Arch), int> _first = new();
    private volatile bool _settled;
    private int _settlements;

    /// <summary>How many times <see cref="Settle"/> ran: a parse worker's copy of the reach is replaced when this moves.</summary>
    public int Settlements => Volatile.Read(ref _settlements);

    /// <summary>True once settled: <see cref="Enter"/> then moves nothing.</summary>
    public bool Settled => _settled;

    /// <summary>
    /// True when the unit of RANK walks the function: no unit of lower rank reached it so far (once settled: RANK is
    /// the first to reach it). A walk of a unit later found not to be the first is redone (<see cref="Displaced"/>).
    /// </summary>
    public bool Enter(string file, string function, string arch, int rank)
    {
        var key = (file, function, arch);
        if (_settled)
        {
            // An abandoned parse (--unit-timeout) may still be walking: it no longer moves anything.
            return !_first.TryGetValue(key, out var first) || rank <= first;
        }
        // Static lambdas with the rank as argument: a re-scan enters every cached unit's reach (~a million on xnu-11417).
        return _first.AddOrUpdate(key, static (_, r) => r, static (_, first, r) => Math.Min(first, r), rank) == rank;
    }

    /// <summary>
    /// Marks what a unit parsed elsewhere (read back from the result cache, or parsed by a worker process) reached (its
    /// rank is its index in UNITS); returns the functions it is now the first to reach, which a worker's copy must learn.
    /// </summary>
    public List<FirstReach> Reach(ParsedUnit unit, int rank)
    {
        var first = new List<FirstReach>();
        Reach(unit, rank, first);
        return first;
    }

    /// <summary>As <see cref="Reach(ParsedUnit, int)"/>, adding the functions it is now the first to reach to FIRST when given.</summary>
    public void Reach(ParsedUnit unit, int rank, List<FirstReach>? first)
    {
        foreach (var reached in unit.Reached)
        {
            if (Enter(reached.File, reached.Function, unit.Unit.Arch, rank))
            {
                first?.Add(new FirstReach(reached.File, reached.Function, unit.Unit.Arch, rank));
            }
        }
    }

    /// <summary>
    /// <see cref="Reach(ParsedUnit, int, List{FirstReach}?)"/> of every unit of UNITS there is (its rank is its index): the
    /// first reacher of each function found in a plain table, then entered once per function. A re-scan enters every cached
    /// unit's reach (~a million entries on xnu-11417), and entering each took the concurrent table's lock.
    /// </summary>
    /// <returns>The first reachers among UNITS, from which the units displaced once the others are parsed are found.</returns>
    public CachedReach Reach(IReadOnlyList<ParsedUnit?> units)
    {
        var first = FirstReachers(units);
        foreach (var (key, rank) in first)
        {
            Enter(key.File, key.Function, key.Arch, rank);
        }
        return new CachedReach(first);
    }

    /// <summary>The first reacher of each function among a scan's cached units (what <see cref="Reach(IReadOnlyList{ParsedUnit?})"/> found), used once.</summary>
    public sealed class CachedReach
    {
        private Dictionary<(string File, string Function, string Arch), int>? _first;

        internal CachedReach(Dictionary<(string File, string Function, string Arch), int> first) => _first = first;

        /// <summary>
        /// <see cref="FunctionReach.Displaced(IReadOnlyList{ParsedUnit})"/> once the units PARSED (the rest of UNITS) are:
        /// the first reachers are this table with their reaches added (the least rank wins either way), not found again
        /// from every unit's (a pass over ~a million entries of a re-scan of xnu-11417 that parsed one unit). The table
        /// is spent by it: a second call finds them from every unit.
        /// </summary>
        public ImmutableArray<int> Displaced(IReadOnlyList<ParsedUnit> units, IEnumerable<int> parsed)
        {
            var first = _first;
            _first = null;
            if (first is null)
            {
                return FunctionReach.Displaced(units);
            }
            foreach (var i in parsed)
            {
                var arch = units[i].Unit.Arch;
                foreach (var reached in units[i].Reached)
                {
                    var key = (reached.File, reached.Function, arch);
                    if (!first.TryGetValue(key, out var rank) || i < rank)
                    {
                        first[key] = i;
                    }
                }
            }
            return DisplacedBy(units, first);
        }
    }

    /// <summary>Every function reached so far and the rank of the first unit to reach it (what a parse worker starts from).</summary>
    public List<FirstReach> Entries() => [.. _first.Select(e => new FirstReach(e.Key.File, e.Key.Function, e.Key.Arch, e.Value))];

    /// <summary>
    /// A parse worker's copy: learns ENTRIES the scan's reach holds (the lowest rank wins); with SETTLED, replaces
    /// everything with them and settles, as <see cref="Settle"/> did in the scan.
    /// </summary>
    public void Learn(IEnumerable<FirstReach> entries, bool settled)
    {
        if (settled)
        {
            _settled = true;
            _first.Clear();
        }
        foreach (var entry in entries)
        {
            _first.AddOrUpdate((entry.File, entry.Function, entry.Arch), entry.Rank, (_, first) => Math.Min(first, entry.Rank));
        }
    }

    /// <summary>Sets, from the units' reaches alone, the first unit of each function, before some units are parsed again.</summary>
    public void Settle(IReadOnlyList<ParsedUnit> units)
    {
        _settled = true;
        _first.Clear();
        foreach (var (key, rank) in FirstReachers(units))
        {
            _first[key] = rank;
        }
        Interlocked.Increment(ref _settlements);
    }

    /// <summary>
    /// Indexes of the units (rank = index) whose walked header bodies are not exactly those they are the first to
    /// reach: they walked a body a unit of lower rank reached too, or left one they are the first to reach unwalked.
    /// </summary>
    public static ImmutableArray<int> Displaced(IReadOnlyList<ParsedUnit> units) => DisplacedBy(units, FirstReachers(units));

    private static ImmutableArray<int> DisplacedBy(IReadOnlyList<ParsedUnit> units, Dictionary<(string File, string Function, string Arch), int> first)
    {
        var displaced = ImmutableArray.CreateBuilder<int>();
        for (var i = 0; i < units.Count; i++)
        {
            if (IsDisplaced(units[i], i, first))
            {
                displaced.Add(i);
            }
        }
        return displaced.ToImmutable();
    }

    /// <summary>
    /// Whether UNIT (of RANK) walked a function it is not the first to reach, or left unwalked one it is the first to
    /// reach. By function: a unit that reaches one twice (a header read twice) walks it the first time only, so a
    /// function counts as walked when any of its entries is. One pass over the unit's reach, allocating only when an
    /// entry it is the first to reach is unwalked (then another entry of the same function must be walked): a re-scan
    /// asks this of every unit, thousands of functions each, once per round of parses.
    /// </summary>
    private static bool IsDisplaced(ParsedUnit unit, int rank, Dictionary<(string File, string Function, string Arch), int> first)
    {
        var arch = unit.Unit.Arch;
        List<(string File, string Function)>? firstUnwalked = null;
        foreach (var reached in unit.Reached)
        {
            var isFirst = first[(reached.File, reached.Function, arch)] == rank;
            if (reached.Walked && !isFirst)
            {
                return true;
            }
            if (!reached.Walked && isFirst)
            {
                (firstUnwalked ??= []).Add((reached.File, reached.Function));
            }
        }
        if (firstUnwalked is null)
        {
            return false;
        }
        var walked = unit.Reached.Where(r => r.Walked).Select(r => (r.File, r.Function)).ToHashSet();
        return firstUnwalked.Any(function => !walked.Contains(function));
    }

    /// <summary>The rank (index) of the first of UNITS to reach each function, per arch; a missing unit (null) reaches none.</summary>
    private static Dictionary<(string File, string Function, string Arch), int> FirstReachers(IReadOnlyList<ParsedUnit?> units)
    {
        var first = new Dictionary<(string, string, string), int>();
        for (var i = 0; i < units.Count; i++)
        {
            if (units[i] is not { } unit)
            {
                continue;
            }
            foreach (var reached in unit.Reached)
            {
                first.TryAdd((reached.File, reached.Function, unit.Unit.Arch), i);
            }
        }
        return first;
    }

    /// <summary>
    /// The unit that walked each function's body, per arch, as RANKS gives the units' ranks (a shard's units carry their
    /// rank in the whole discovery): keyed by file and function, sorted by arch.
    /// </summary>
    public static IReadOnlyDictionary<(string File, string Function), ImmutableArray<(string Arch, int Rank)>> Walkers(
        IReadOnlyList<ParsedUnit> units, IReadOnlyList<int> ranks)
    {
        var walkers = new Dictionary<(string File, string Function), SortedDictionary<string, int>>();
        for (var i = 0; i < units.Count; i++)
        {
            foreach (var reached in units[i].Reached.Where(r => r.Walked))
            {
                if (!walkers.TryGetValue((reached.File, reached.Function), out var byArch))
                {
                    walkers[(reached.File, reached.Function)] = byArch = new SortedDictionary<string, int>(StringComparer.Ordinal);
                }
                byArch.TryAdd(units[i].Unit.Arch, ranks[i]);
            }
        }
        return walkers.ToDictionary(w => w.Key, w => w.Value.Select(p => (p.Key, p.Value)).ToImmutableArray());
    }

    /// <summary>How many times units reached each function (every arch together), keyed by file and function.</summary>
    public static IReadOnlyDictionary<(string File, string Function), int> Counts(IEnumerable<ParsedUnit> units)
    {
        var counts = new Dictionary<(string File, string Function), int>();
        foreach (var unit in units)
        {
            foreach (var reached in unit.Reached)
            {
                // One look-up an entry, not two: a re-scan counts ~a million of them.
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, (reached.File, reached.Function), out _)++;
            }
        }
        return counts;
    }
}
