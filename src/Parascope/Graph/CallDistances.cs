
namespace Parascope.Graph;

/// <summary>
/// How many calls each function lies from a set of entry points: breadth-first along calls, not through hubs
/// (rules/entry-points.yaml `stop-at`), which every path reaches and which would make everything near.
/// </summary>
public static class CallDistances
{
    public static Dictionary<string, int> From(CallGraph graph, IEnumerable<string> entryPoints, IReadOnlySet<string> stopAt)
    {
        var distance = new Dictionary<string, int>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        foreach (var entry in entryPoints.Where(graph.Contains).Order(StringComparer.Ordinal))
        {
            if (distance.TryAdd(entry, 0))
            {
                queue.Enqueue(entry);
            }
        }
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            if (stopAt.Contains(current) && distance[current] > 0)
            {
                continue;
            }
            foreach (var callee in graph.Callees(current))
            {
                if (distance.TryAdd(callee, distance[current] + 1))
                {
                    queue.Enqueue(callee);
                }
            }
        }
        return distance;
    }
}
