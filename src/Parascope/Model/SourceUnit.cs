using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>
/// One compilation unit to parse for one arch: a .c/.cpp file with the exact compiler arguments, or a
/// .s/.S file (scanned by Parascope's own assembly scanner, with the same defines for its conditionals).
/// </summary>
public sealed record SourceUnit
{
    /// <summary>Absolute path of the source file.</summary>
    public required string Path { get; init; }
    /// <summary>Relative to the scanned root, '/' separators.</summary>
    public required string RelativePath { get; init; }
    public required SourceLanguage Language { get; init; }
    /// <summary>The scan arch: x86_64, i386 or arm64.</summary>
    public required string Arch { get; init; }
    /// <summary>Compiler arguments without the source file itself (includes, defines, target, language flags).</summary>
    public ImmutableArray<string> Arguments { get; init; } = [];
    /// <summary>Top-level folder of the tree (osfmk, bsd, iokit…), or "." for files at the root.</summary>
    public string Subsystem { get; init; } = ".";
    /// <summary>Directory the compiler runs in (relative includes resolve from here).</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>Where the arguments came from: profile name or compile_commands.json.</summary>
    public string Origin { get; init; } = "generic";
    /// <summary>
    /// The kernel configuration whose options the unit is parsed with (XNU profile: RELEASE, or the first of
    /// DEVELOPMENT, DEBUG, KASAN that builds a file RELEASE does not); null when the profile knows none.
    /// </summary>
    public string? Configuration { get; init; }
    /// <summary>
    /// False when the tree's build lists name the file for no configuration (host programs, tests, stale copies);
    /// null when the profile cannot tell.
    /// </summary>
    public bool? InBuild { get; init; }
    /// <summary>
    /// Options a unit no configuration builds is parsed with on top of its configuration, from its own conf/files
    /// line: `+CONFIG_SPTM` turned on, `-MACH_KERNEL` turned off (XNU profile); empty otherwise.
    /// </summary>
    public ImmutableArray<string> OwnOptions { get; init; } = [];
    /// <summary>
    /// Parsed again in <see cref="Configuration"/>, which is not the configuration the scan compiles the file in:
    /// what it finds is reported with that configuration in Finding.Configurations, never as active.
    /// </summary>
    public bool Variant { get; init; }
    /// <summary>
    /// Other configurations that build the file and change no macro its own conditionals test: its text is this
    /// unit's in them too, so what this unit compiles they compile (they are not parsed again).
    /// </summary>
    public ImmutableArray<string> SameConfigurations { get; init; } = [];
    /// <summary>
    /// The arm64 board (machine configuration) this unit is parsed again for, when it is not the scan's own: what it
    /// finds is reported with it in Finding.Platforms, never as active (<see cref="Variant"/> is true). Null otherwise.
    /// </summary>
    public string? Platform { get; init; }
    /// <summary>
    /// The boards whose compile of the file this unit's parse stands for: its own (the scan's board, or
    /// <see cref="Platform"/>) and the other boards the scan covers that change no macro its own conditionals test.
    /// Empty when the scan covers no other board (x86, old trees, `--boards none`).
    /// </summary>
    public ImmutableArray<string> Platforms { get; init; } = [];
}

public enum UnitStatus
{
    /// <summary>Parsed with no error diagnostics.</summary>
    Clean,
    /// <summary>Parsed, with errors: part of the AST may be missing.</summary>
    WithErrors,
    /// <summary>libclang produced no translation unit, or a fatal error stopped it early.</summary>
    Failed,
}

/// <summary>The parse outcome of one unit, for parse-health reporting.</summary>
public sealed record UnitReport(string File, string Arch, UnitStatus Status, string? FirstError, int ErrorCount)
{
    /// <summary>A fatal error or a missing include: the rest of the unit's AST is unreliable.</summary>
    public bool Fatal { get; init; }
    /// <summary>See <see cref="SourceUnit.Configuration"/>.</summary>
    public string? Configuration { get; init; }
    /// <summary>See <see cref="SourceUnit.InBuild"/>.</summary>
    public bool? InBuild { get; init; }
    /// <summary>See <see cref="SourceUnit.OwnOptions"/>.</summary>
    public ImmutableArray<string> OwnOptions { get; init; } = [];
}

public sealed record UnitCounts(int Total, int Parsed, int WithErrors, int Failed)
{
    /// <summary>Parsed units with at least one fatal error (a missing include stops clang's reading of that unit early).</summary>
    public int WithFatal { get; init; }
    /// <summary>
    /// The same counts over the units some configuration of the tree builds (conf/files), without dead files, host
    /// tests and other code no kernel compiles; null when the profile cannot tell.
    /// </summary>
    public UnitCounts? InBuild { get; init; }

    /// <summary>Counts of UNITS (status, fatal) — one definition for the scan, its in-build part and merges.</summary>
    public static UnitCounts Of(IReadOnlyCollection<(UnitStatus Status, bool Fatal)> units) =>
        new(units.Count, units.Count(u => u.Status != UnitStatus.Failed), units.Count(u => u.Status == UnitStatus.WithErrors),
            units.Count(u => u.Status == UnitStatus.Failed))
        {
            WithFatal = units.Count(u => u.Status != UnitStatus.Failed && u.Fatal),
        };

    /// <summary>The sum of several scans' counts (shards).</summary>
    public static UnitCounts Sum(IReadOnlyCollection<UnitCounts> counts) =>
        new(counts.Sum(c => c.Total), counts.Sum(c => c.Parsed), counts.Sum(c => c.WithErrors), counts.Sum(c => c.Failed))
        {
            WithFatal = counts.Sum(c => c.WithFatal),
            InBuild = counts.All(c => c.InBuild is null) ? null : Sum([.. counts.Select(c => c.InBuild).OfType<UnitCounts>()]),
        };
}

public sealed record CountedText(string Text, int Count);

/// <summary>Parse health of a scan: how much of the tree the detectors actually saw.</summary>
public sealed record ParseHealth
{
    public required UnitCounts Counts { get; init; }
    public ImmutableArray<CountedText> MissingHeaders { get; init; } = [];
    public ImmutableArray<CountedText> FrequentErrors { get; init; } = [];
    public ImmutableArray<UnitReport> Units { get; init; } = [];

    /// <summary>
    /// The parses of variant units (another configuration or board: docs/configurations.md), counted as units are; they
    /// are not in <see cref="Counts"/>. Null when the scan parsed none.
    /// </summary>
    public UnitCounts? Variants { get; init; }
}
