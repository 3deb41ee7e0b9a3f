using Parascope.Parsing;

namespace Parascope.Detectors;

/// <summary>
/// One concern (instructions, page tables, driver APIs). A detector has two halves: a collector that runs
/// inside the single walk of each unit (in parallel, one per unit) and keeps compact facts, and
/// <see cref="Detect"/>, which runs once after every unit is parsed and turns all facts into findings
/// (so it can see across units: macro expansion sites, wrapper callers, class hierarchies, dedupe).
/// Detectors never print; they add findings to the sink.
/// </summary>
public interface IDetector : ICollectorSource
{
    string Name { get; }

    /// <summary>Turns the facts every unit's collector kept into findings.</summary>
    void Detect(DetectionContext context, FindingSink sink);
}
