using System.CommandLine;
using Parascope.Model;

namespace Parascope.Cli.Commands;

/// <summary>The options of every command that scans a tree (scan, graph): defined once, so they read the same everywhere.</summary>
internal sealed class TreeOptions
{
    public Argument<string> Path { get; } = new("path") { Description = "Root of the kernel source tree." };

    public Option<string[]> Arches { get; } = new("--arch")
    {
        Description = "Arch to parse for; repeat for several (x86_64, i386, arm64). Default: x86_64.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<int> Jobs { get; } = new("--jobs", "-j")
    {
        Description = "Units parsed at once (default: the number of cores).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        CustomParser = WholeNumbers.Parser("--jobs", () => Environment.ProcessorCount),
    };

    public Option<string?> CompileCommands { get; } = new("--compile-commands") { Description = "Take unit flags from this compile_commands.json." };

    public Option<string?> Profile { get; } = new("--profile") { Description = "Build profile: xnu or generic (default: chosen from the tree's layout)." };

    public Option<string?> MachineConfig { get; } = new("--machine-config")
    {
        Description = "Machine (board) configuration to parse arm64 with, e.g. VMAPPLE or T8103 (default: the tree's own, from its makefiles; `parascope explain` shows it).",
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress bar." };

    public Option<string?> Cache { get; } = new("--cache")
    {
        Description = "Cache folder: each unit's facts, reused while the unit, what it includes and its flags are unchanged " +
                      "(default: $XDG_CACHE_HOME/parascope or ~/.cache/parascope).",
    };

    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "Parse every unit again; read and write no result cache." };

    public Option<int> UnitTimeout { get; } = new("--unit-timeout")
    {
        Description = "Abandon a unit still being read after this many seconds and report it failed (timeout); 0: no limit. Default: 300.",
        DefaultValueFactory = _ => (int)ScanRequest.DefaultUnitTimeout.TotalSeconds,
        CustomParser = WholeNumbers.Parser("--unit-timeout", () => (int)ScanRequest.DefaultUnitTimeout.TotalSeconds),
    };

    public TreeOptions()
    {
        Arches.AcceptOnlyFromAmong([.. Architecture.Names]);
        Profile.AcceptOnlyFromAmong("xnu", "generic");
    }

    /// <summary>The cache folder asked for, or the default one.</summary>
    public string CacheOf(ParseResult parse) => parse.GetValue(Cache) is { Length: > 0 } folder
        ? System.IO.Path.GetFullPath(folder)
        : ScanPipeline.DefaultCacheDirectory();

    /// <summary>The result cache's folder, or null under --no-cache.</summary>
    public string? ResultCacheOf(ParseResult parse) => parse.GetValue(NoCache) ? null : CacheOf(parse);

    /// <summary>--unit-timeout as a span (0: none), or null when it is negative.</summary>
    public TimeSpan? UnitTimeoutOf(ParseResult parse) => parse.GetValue(UnitTimeout) switch
    {
        < 0 => null,
        0 => Timeout.InfiniteTimeSpan,
        var seconds => TimeSpan.FromSeconds(seconds),
    };

    /// <summary>The arches asked for, each once, or the default one.</summary>
    public string[] ArchesOf(ParseResult parse) =>
        parse.GetValue(Arches) is { Length: > 0 } given ? [.. given.Distinct(StringComparer.Ordinal)] : [Architecture.Default.Name];
}
