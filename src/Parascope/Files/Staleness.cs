namespace Parascope.Files;

/// <summary>
/// When a store kept for the next scan (the units' pack, the lexical scans, discovery's source scans) is written again:
/// once more than one in twenty of its items (at least 16) were not taken from it. Below that, making those few again on
/// each later scan costs less than writing every item again (a `.c` edit would otherwise rewrite megabytes each time).
/// </summary>
public static class Staleness
{
    public static bool IsStale(int notTaken, int total) => notTaken > Math.Max(16, total / 20);
}
