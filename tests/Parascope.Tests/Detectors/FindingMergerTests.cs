using System.Collections.Immutable;
using System.Text.Json;
using Parascope.Detectors;
using Parascope.Model;

namespace Parascope.Tests.Detectors;

public sealed class FindingMergerTests
{
    /// <summary>A unit's view of a header's `cli` in FUNCTION, with the body walk it owes it to.</summary>
    private static Finding View(string function) => Parascope.Tests.Caching.PackedFindingsTests.Minimal with
    {
        File = "osfmk/i386/widget.h",
        Line = 12,
        Function = function,
        Arches = ["x86_64"],
        Context = SourceContext.InlineAsm,
        Walks = [new BodyWalk("osfmk/i386/widget.h", function, "x86_64", 1)],
    };

    private static string Json(ImmutableArray<Finding> findings) => JsonSerializer.Serialize(findings.ToArray());

    [Fact]
    public void A_view_reported_by_several_units_as_one_instance_counts_each_report_as_equal_copies_do()
    {
        var shared = View("widget_disable");
        var other = View("widget_off");
        var reach = new Dictionary<(string File, string Function), int>();

        var once = FindingMerger.Merge([shared, shared, shared, other], reach);
        var copies = FindingMerger.Merge([shared, shared with { }, shared with { }, other], reach);

        Assert.Equal(Json(copies), Json(once));
        var merged = Assert.Single(once);
        Assert.Equal(4, merged.Units);
        Assert.Equal([3, 1], merged.Walks.OrderBy(w => w.Function, StringComparer.Ordinal).Select(w => w.Units));
    }
}
