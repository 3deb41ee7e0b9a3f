using System.Collections.Immutable;
using Parascope.Parsing;

namespace Parascope.Detectors.DriverApi;

public enum DriverCallKind
{
    /// <summary>A C function call (possibly produced by a macro).</summary>
    Function,
    /// <summary>A C++ member call, resolved by clang to its declaring class.</summary>
    Method,
    /// <summary>A function-like macro named by a rule, at its expansion site.</summary>
    Macro,
}

/// <summary>
/// A call that may match a driver-api rule, at its expansion site. For methods <see cref="Class"/> is the
/// class that declares the method clang resolved the call to; <see cref="Macro"/> names the macro whose
/// expansion produced the call, when one did; <see cref="Origin"/> is where the call is written when that macro's
/// body (not an argument) holds it: the finding goes there and this site is one of its expansions.
/// </summary>
public sealed record DriverCall(
    DriverCallKind Kind,
    string File,
    int Line,
    int Column,
    string? Function,
    string Callee,
    string? Class,
    string? Macro,
    bool Virtual,
    bool Static,
    MacroOrigin? Origin = null);

/// <summary>A C++ class and its direct bases, as one unit saw it. <see cref="File"/> is null outside the root.</summary>
public sealed record ClassFact(string Name, ImmutableArray<string> Bases, string? File, int Line);

/// <summary>An OSDefineMetaClassAndStructors-family expansion: the class, its superclass, where.</summary>
public sealed record MetaClassFact(string Class, string Superclass, string File, int Line);

public sealed record DriverApiFacts(
    ImmutableArray<DriverCall> Calls,
    ImmutableArray<ClassFact> Classes,
    ImmutableArray<MetaClassFact> MetaClasses) : IUnitFacts;
