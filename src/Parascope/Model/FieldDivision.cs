namespace Parascope.Model;

/// <summary>
/// A division by a structure field that the platform detector saw filled from a read somewhere (`tscFreq = refFreq * N
/// / M` with M = `cpuid_tsc_leaf.denominator`), untested for zero before it. The read that fills the field and the
/// division are often in different units (cpuid.c fills, tsc.c divides), so the verdict is joined over the whole tree
/// once every unit's findings are in: after a whole scan's detection, or by `merge` from the lists its shards carry.
/// </summary>
/// <param name="Field">The field's USR: the same field in every unit.</param>
/// <param name="Path">The identity-switch path the division is on (`the path of case … of switch (…) at line N`), or null.</param>
public sealed record FieldDivision(string Field, string Arch, string File, int Line, string? Function, string Text, string Divisor, string? Path);
