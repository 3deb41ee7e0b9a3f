using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

/// <summary>Which unit walks a header body: the first in discovery order to reach it, whatever order threads parse in.</summary>
public sealed class FunctionReachTests
{
    private static ParsedUnit Unit(string file, params ReachedFunction[] reached) => new()
    {
        Unit = new SourceUnit { Path = "/tree/" + file, RelativePath = file, Language = SourceLanguage.C, Arch = "i386" },
        Status = UnitStatus.Clean,
        Reached = [.. reached],
    };

    [Fact]
    public void A_later_unit_parsed_first_walks_but_the_first_unit_in_discovery_order_keeps_the_body()
    {
        var reach = new FunctionReach();
        // Unit 1's thread reaches lock() before unit 0's: both walk it; unit 0, first in discovery order, keeps it.
        Assert.True(reach.Enter("lock.h", "lock", "i386", 1));
        Assert.True(reach.Enter("lock.h", "lock", "i386", 0));
        Assert.False(reach.Enter("lock.h", "lock", "i386", 2));
        Assert.True(reach.Enter("lock.h", "lock", "x86_64", 2));
    }

    [Fact]
    public void Units_that_walked_a_body_they_are_not_first_to_reach_or_left_one_they_are_first_to_reach_are_displaced()
    {
        IReadOnlyList<ParsedUnit> units =
        [
            Unit("a.c", new ReachedFunction("lock.h", "lock", Walked: false)),
            Unit("b.c", new ReachedFunction("lock.h", "lock", Walked: true), new ReachedFunction("spl.h", "spl", Walked: true)),
            Unit("c.c", new ReachedFunction("spl.h", "spl", Walked: false), new ReachedFunction("spl.h", "spl", Walked: false)),
        ];

        Assert.Equal([0, 1], FunctionReach.Displaced(units).ToArray());
    }

    [Fact]
    public void A_unit_that_reaches_a_body_twice_walks_it_once_and_is_displaced_only_if_it_walked_it_neither_time()
    {
        IReadOnlyList<ParsedUnit> units =
        [
            // A header read twice (no include guard): the second reach is not walked, the first is.
            Unit("a.c", new ReachedFunction("spl.h", "spl", Walked: true), new ReachedFunction("spl.h", "spl", Walked: false)),
            Unit("b.c", new ReachedFunction("lock.h", "lock", Walked: false), new ReachedFunction("lock.h", "lock", Walked: true),
                new ReachedFunction("spl.h", "spl", Walked: false)),
            // First to reach unlock() and walked it neither time: its facts lack the body.
            Unit("c.c", new ReachedFunction("lock.h", "unlock", Walked: false), new ReachedFunction("lock.h", "unlock", Walked: false)),
        ];

        Assert.Equal([2], FunctionReach.Displaced(units).ToArray());
    }

    [Fact]
    public void Once_settled_a_unit_parsed_again_walks_exactly_the_bodies_it_is_first_to_reach()
    {
        IReadOnlyList<ParsedUnit> units =
        [
            Unit("a.c", new ReachedFunction("lock.h", "lock", Walked: false)),
            Unit("b.c", new ReachedFunction("lock.h", "lock", Walked: true), new ReachedFunction("spl.h", "spl", Walked: true)),
        ];
        var reach = new FunctionReach();
        reach.Settle(units);

        Assert.True(reach.Enter("lock.h", "lock", "i386", 0));
        Assert.False(reach.Enter("lock.h", "lock", "i386", 1));
        Assert.True(reach.Enter("spl.h", "spl", "i386", 1));
        // A parse abandoned by --unit-timeout that walks on moves nothing once settled.
        Assert.False(reach.Enter("spl.h", "spl", "i386", 5));
        Assert.True(reach.Enter("spl.h", "spl", "i386", 1));
    }

    [Fact]
    public void Reaching_every_cached_unit_at_once_leaves_the_first_reachers_one_by_one_leaves()
    {
        ParsedUnit?[] units =
        [
            null,
            Unit("b.c", new ReachedFunction("lock.h", "lock", Walked: true), new ReachedFunction("spl.h", "spl", Walked: true)),
            Unit("c.c", new ReachedFunction("spl.h", "spl", Walked: false), new ReachedFunction("lock.h", "unlock", Walked: true)),
            Unit("d.c", new ReachedFunction("lock.h", "lock", Walked: false)),
        ];
        var together = new FunctionReach();
        var oneByOne = new FunctionReach();
        // A unit parsed before the cached ones are entered (rank 3 reached unlock first): the lower rank still wins.
        together.Enter("lock.h", "unlock", "i386", 3);
        oneByOne.Enter("lock.h", "unlock", "i386", 3);

        together.Reach(units);
        for (var rank = 0; rank < units.Length; rank++)
        {
            if (units[rank] is { } unit)
            {
                oneByOne.Reach(unit, rank, first: null);
            }
        }

        Assert.Equal(oneByOne.Entries().OrderBy(e => e.Function, StringComparer.Ordinal), together.Entries().OrderBy(e => e.Function, StringComparer.Ordinal));
        Assert.Contains(new FirstReach("lock.h", "unlock", "i386", 2), together.Entries());
    }

    [Fact]
    public void The_units_displaced_after_a_re_scan_s_parses_are_those_every_unit_s_reach_gives()
    {
        // Units 1 and 3 cached; units 0 and 2 parsed now (0 edited: it reaches lock first and walked it; 2 walked spl,
        // which cached unit 1 reached first and walked).
        ParsedUnit?[] cached =
        [
            null,
            Unit("b.c", new ReachedFunction("lock.h", "lock", Walked: true), new ReachedFunction("spl.h", "spl", Walked: true)),
            null,
            Unit("d.c", new ReachedFunction("lock.h", "unlock", Walked: true)),
        ];
        IReadOnlyList<ParsedUnit> after =
        [
            Unit("a.c", new ReachedFunction("lock.h", "lock", Walked: true)),
            cached[1]!,
            Unit("c.c", new ReachedFunction("spl.h", "spl", Walked: true), new ReachedFunction("lock.h", "unlock", Walked: false)),
            cached[3]!,
        ];
        var cachedReach = new FunctionReach().Reach(cached);

        var incremental = cachedReach.Displaced(after, [0, 2]);

        Assert.Equal(FunctionReach.Displaced(after).ToArray(), incremental.ToArray());
        Assert.Equal([1, 2, 3], incremental.ToArray());
    }
}
