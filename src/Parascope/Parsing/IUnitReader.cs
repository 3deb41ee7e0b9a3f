namespace Parascope.Parsing;

/// <summary>
/// Reads one unit into its facts, from any thread: in this process (<see cref="UnitParser"/>) or in a parse worker
/// process (scan --isolate). The parse stage drives either the same way, so both give the same report.
/// </summary>
public interface IUnitReader : IDisposable
{
    /// <summary>SCOPE's unit parsed and walked, or failed with the reason; TIMEOUT as <see cref="UnitParser.Parse(UnitScope, TimeSpan)"/> says.</summary>
    ParsedUnit Parse(UnitScope scope, TimeSpan timeout);
}
