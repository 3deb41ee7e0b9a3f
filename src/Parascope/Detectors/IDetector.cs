using Parascope.Clang;
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

/// <summary>Anything that keeps facts from the unit walk: every detector, and the call-graph stage.</summary>
public interface ICollectorSource
{
    /// <summary>A fresh collector for one unit; called on the parsing thread.</summary>
    IUnitCollector CreateCollector(UnitScope scope);
}

/// <summary>
/// Receives a unit's parse. For C/C++ every cursor comes once through <see cref="OnCursor"/>, in source order,
/// from the one shared walk; for assembly files <see cref="OnAssembly"/> is called instead.
/// Must not keep cursors: the translation unit is disposed right after <see cref="Complete"/>.
/// </summary>
public interface IUnitCollector
{
    void OnCursor(Cursor cursor, AstScope scope) { }

    void OnAssembly(AssemblyScope scope) { }

    /// <summary>After the walk: inactive ranges and included files are known (lexical scans of skipped code go here).</summary>
    void OnUnitEnd(UnitEndScope scope) { }

    /// <summary>The facts to keep for <see cref="IDetector.Detect"/>, or null when the unit had none.</summary>
    IUnitFacts? Complete();
}

/// <summary>Marker for a detector's per-unit facts (immutable, small: no cursors, no libclang objects).</summary>
public interface IUnitFacts;
