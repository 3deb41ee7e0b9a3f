using Parascope.Clang;

namespace Parascope.Parsing;

// The contract of the one walk: Parsing drives it, so Parsing owns it. Detectors and the call graph implement it.

/// <summary>Anything that keeps facts from the unit walk: every detector, and the call-graph stage.</summary>
public interface ICollectorSource
{
    /// <summary>A fresh collector for one unit; called on the parsing thread.</summary>
    IUnitCollector CreateCollector(UnitScope scope);

    /// <summary>
    /// A unit whose facts come from the result cache instead of a walk: rebuild what the scan shares between units
    /// and the walk would have left behind (such as the lexical scans of the files it read). Called on the parse stage's threads.
    /// </summary>
    void Restore(ParsedUnit unit, UnitScope scope) { }
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

    /// <summary>The facts to keep for the stage that reads them (a detector's Detect, the call graph), or null when the unit had none.</summary>
    IUnitFacts? Complete();
}

/// <summary>Marker for a detector's per-unit facts (immutable, small: no cursors, no libclang objects).</summary>
public interface IUnitFacts;
