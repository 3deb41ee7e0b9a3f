namespace Parascope.Tests.Architecture;

/// <summary>
/// Reports render what the pipeline computed: the plan is built once by the Planning stage and carried in the result,
/// so no writer builds a plan or walks the call graph (which a reused whole scan would then have to decode).
/// </summary>
public class ReportsNeverAnalyseTests
{
    private static readonly string[] Analysis =
    [
        typeof(global::Parascope.Model.ICallGraph).FullName!,
        typeof(global::Parascope.Graph.CallGraph).FullName!,
        typeof(global::Parascope.Planning.Planner).FullName!,
        typeof(global::Parascope.Planning.PlanBuilder).FullName!,
        typeof(global::Parascope.Planning.WorkPlan).FullName!,
        typeof(global::Parascope.Planning.Readiness).FullName!,
        typeof(global::Parascope.Planning.PortInterfaceBuilder).FullName!,
    ];

    [Fact]
    public void No_report_writer_builds_a_plan_or_reads_the_call_graph()
    {
        var offending = StageOrderTests.References(typeof(global::Parascope.Reports.ReportWriter).Assembly)
            .Where(r => r.From.StartsWith("Parascope.Reports.", StringComparison.Ordinal) && Analysis.Contains(r.To))
            .Select(r => $"{r.From} uses {r.To}").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(offending.Count == 0, string.Join('\n', offending));
    }
}
