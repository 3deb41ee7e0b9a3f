using System.Collections.Immutable;
using Parascope.Caching;
using Parascope.Clang;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

/// <summary>What the parse stage hands on of a unit: its skipped ranges stay in the cache entry only.</summary>
public sealed class KeptFactsTests
{
    [Fact]
    public void Parsed_units_hand_on_no_skipped_ranges_and_their_cache_entries_keep_them()
    {
        Assert.Null(Libclang.Load());
        using var tree = new TempTree();
        using var cacheFolder = new TempTree();
        var file = tree.Write("osfmk/kern/idle.c", "#if 0\nint unused;\n#endif\nint idle_count;\n");
        ImmutableArray<SourceUnit> units =
            [new SourceUnit { Path = file, RelativePath = "osfmk/kern/idle.c", Language = SourceLanguage.C, Arch = "x86_64" }];
        var cache = new ResultCache(cacheFolder.Root, "test", new FileDigests());
        var request = new ScanRequest { Root = tree.Root, Jobs = 1 };

        var parsed = ScanPipeline.ParseAll(units, [new CallGraphSource()], tree.Root, new SourceTexts(), new FunctionReach(), request,
            ImmutableSortedDictionary<string, string>.Empty, cache, workers: null).Single();

        Assert.Equal(UnitStatus.Clean, parsed.Status);
        Assert.Empty(parsed.InactiveRanges);
        var entry = cache.TryLoad(units[0]) ?? throw new Xunit.Sdk.XunitException("the unit was not stored");
        Assert.Equal(new LineRange("osfmk/kern/idle.c", 1, 3), entry.InactiveRanges.Single());
    }
}
