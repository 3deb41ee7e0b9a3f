using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Detectors;

/// <summary>
/// The one place detectors are registered. Each is built once per scan with the scan's rules and compiles what it
/// needs from them in its constructor (as a clang-tidy check reads its options once). Adding a detector touches its
/// folder and this list.
/// </summary>
public static class DetectorRegistry
{
    public static ImmutableArray<IDetector> All(RuleSet rules) =>
    [
        new Instructions.InstructionDetector(rules),
        new PageTables.PageTableDetector(rules),
        new DriverApi.DriverApiDetector(rules),
        new Platform.PlatformDetector(rules),
    ];
}
