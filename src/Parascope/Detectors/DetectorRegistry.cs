using System.Collections.Immutable;

namespace Parascope.Detectors;

/// <summary>The one place detectors are registered. Adding a detector touches its folder and this list.</summary>
public static class DetectorRegistry
{
    public static ImmutableArray<IDetector> All() =>
    [
        new Instructions.InstructionDetector(),
        new PageTables.PageTableDetector(),
        new DriverApi.DriverApiDetector(),
    ];
}
