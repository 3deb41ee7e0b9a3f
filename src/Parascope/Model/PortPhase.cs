using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>One phase of a port: its name, why it comes where it does, and the entry points that start it.</summary>
public sealed record PortPhase(string Name, string Description, ImmutableArray<string> EntryPoints);
