using System.Collections.Immutable;
using Parascope.Discovery.Xnu;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Discovery;

/// <summary>What to discover: the tree, the arches to parse it for, and how to configure the compiler.</summary>
public sealed record DiscoveryRequest
{
    public required string Root { get; init; }
    /// <summary>Scan arches: x86_64, i386, arm64.</summary>
    public required ImmutableArray<string> Arches { get; init; }
    /// <summary>xnu, generic, or null to choose by the tree's layout.</summary>
    public string? Profile { get; init; }
    /// <summary>A compile_commands.json to take unit flags from (wins over the profile).</summary>
    public string? CompileCommands { get; init; }
    /// <summary>A folder outside the tree for generated stand-in headers.</summary>
    public required string CacheDirectory { get; init; }
    /// <summary>clang's resource directory (builtin headers), passed as -resource-dir.</summary>
    public string? ResourceDirectory { get; init; }
    /// <summary>
    /// The major version of the clang that will parse the units (the loaded libclang's), for flags only some
    /// versions know; null: unknown, flags for the newest.
    /// </summary>
    public int? ClangMajorVersion { get; init; }
    /// <summary>
    /// The other kernel configurations to parse a unit again in where its conditionals depend on what they change
    /// (XNU profile: DEVELOPMENT, DEBUG, KASAN): null for every one the tree defines, empty for none.
    /// </summary>
    public ImmutableArray<string>? Configurations { get; init; }
    /// <summary>The machine (board) configuration to parse with (`--machine-config`); null: the tree's own default (Xnu/MachineConfigs.cs).</summary>
    public string? MachineConfig { get; init; }
    /// <summary>
    /// The other arm64 boards to parse units again for where their #if lines test a macro the board changes
    /// (`--boards`): null for the tree's defaults (Xnu/PlatformBoards.cs), empty for none.
    /// </summary>
    public ImmutableArray<string>? Boards { get; init; }
    /// <summary>The tree's inventory when the caller already took it (<see cref="FileInventory.Of(string)"/>); null: taken here.</summary>
    public FileInventory? Files { get; init; }
    /// <summary>
    /// Whether what discovery reads may be kept in the cache folder for the next scan and taken back while unchanged
    /// (the XNU profile's MIG interfaces): the scan keeps results (its result cache is on).
    /// </summary>
    public bool KeepsReadings { get; init; }
    /// <summary>
    /// The tree's sizes and times taken before any of its files was read, when the scan took them: with
    /// <see cref="KeepsReadings"/>, the XNU profile keeps its whole result by what it read and takes it back while that is
    /// unchanged (Xnu/DiscoveryMemo.cs). Null: discovery runs in full.
    /// </summary>
    public TreeStamps? Stamps { get; init; }
    /// <summary>
    /// The content digest an earlier scan kept for a file (absolute path) while it had a stamp (the result cache's kept
    /// digests), or null: with <see cref="Stamps"/>, what the kept discovery checks a file whose time changed by, before
    /// reading it (after a fresh clone the supervisor's look-up has just digested every file).
    /// </summary>
    public Func<string, FileStamp, string?>? KeptDigest { get; init; }
}

/// <summary>The units to parse, or a one-line error when the request cannot be served.</summary>
public sealed record DiscoveryResult(string Profile, ImmutableArray<SourceUnit> Units, ImmutableArray<string> Warnings, InputError? Error = null)
{
    /// <summary>Every file of the tree, enumerated once here for every later stage.</summary>
    public FileInventory? Files { get; init; }

    /// <summary>Tree files to parse from these contents instead of disk (repairs made in memory), by absolute path.</summary>
    public ImmutableSortedDictionary<string, string> Overlays { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>What each overlay repaired (`explain` names it), by the same paths; a path missing here was not repaired.</summary>
    public ImmutableSortedDictionary<string, string> OverlayRepairs { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// Units parsed again in another configuration than their own (<see cref="SourceUnit.Variant"/>): only their
    /// findings' configurations count; they are not in the unit counts or the call graph.
    /// </summary>
    public ImmutableArray<SourceUnit> Variants { get; init; } = [];

    /// <summary>
    /// The SHA-256 (hex) of each file discovery read whole, by absolute path, as it read it: the result cache's
    /// digests of the same files need not read them again.
    /// </summary>
    public IReadOnlyDictionary<string, string> ContentDigests { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Every kernel configuration whose code the scan covers: some unit is parsed in it (its own or as a variant) or
    /// shares a parsed unit's text (<see cref="SourceUnit.SameConfigurations"/>); empty when the profile knows none.
    /// </summary>
    public ImmutableArray<string> Configurations { get; init; } = [];
    /// <summary>The machine configuration each arch was configured with and where it came from (XNU profile only).</summary>
    public ImmutableArray<Xnu.MachineConfig> MachineConfigs { get; init; } = [];
    /// <summary>
    /// Every arm64 board whose code the scan covers (the scanned one and the others units are parsed again for, in
    /// ordinal order); empty when no other board is parsed (x86, trees without boards, `--boards none`).
    /// </summary>
    public ImmutableArray<string> Platforms { get; init; } = [];
    /// <summary>Taken back from the memo of the last discovery of the tree (Xnu/DiscoveryMemo.cs), not made anew.</summary>
    public bool Kept { get; init; }
}

/// <summary>A tree → compilation units, each with its compiler arguments, per arch.</summary>
public static class UnitDiscovery
{
    public static DiscoveryResult Discover(DiscoveryRequest request)
    {
        if (!Directory.Exists(request.Root))
        {
            return new DiscoveryResult("generic", [], [], new InputError(File.Exists(request.Root)
                ? $"{request.Root}: not a directory (give the root of a kernel source tree)"
                : $"{request.Root}: no such directory"));
        }
        var files = request.Files ?? FileInventory.Of(request.Root);
        var result = DiscoverUnits(request, files);
        // A FIFO or a device the tree's units include is given to libclang as an empty in-memory file, so that
        // libclang does not open it either (it would block or read for ever, past --unit-timeout's reach).
        return result with
        {
            Files = files,
            Warnings = [.. files.SkippedWarnings(), .. result.Warnings],
            Overlays = result.Overlays.SetItems(files.Skipped.Select(s => KeyValuePair.Create(files.AbsolutePath(s.Relative), string.Empty))),
        };
    }

    private static DiscoveryResult DiscoverUnits(DiscoveryRequest request, FileInventory files)
    {
        if (request.CompileCommands is not null)
        {
            return CompileCommandsDiscovery.Discover(request);
        }
        // A compile_commands.json at the root is the tree's own word on its flags: it wins over any profile.
        var ownDatabase = Path.Combine(request.Root, "compile_commands.json");
        if (RegularFiles.Exists(ownDatabase))
        {
            return CompileCommandsDiscovery.Discover(request with { CompileCommands = ownDatabase });
        }
        var profile = request.Profile ?? (XnuProfile.Recognizes(request.Root) ? XnuProfile.Name : "generic");
        if (profile == XnuProfile.Name)
        {
            return XnuProfile.Discover(request, files);
        }
        var units = ImmutableArray.CreateBuilder<SourceUnit>();
        foreach (var (path, relative) in files.RelativePaths.Select(r => (files.AbsolutePath(r), r)))
        {
            var language = SourceFiles.LanguageOf(path);
            if (language is null)
            {
                continue;
            }
            foreach (var arch in request.Arches.Where(a => ArchFiles.FolderAllows(relative, a)))
            {
                units.Add(GenericProfile.Unit(request, path, relative, language.Value, arch));
            }
        }
        return new DiscoveryResult("generic", units.ToImmutable(), []);
    }
}

/// <summary>An entry of a tree's listing (<see cref="SourceFiles.EnumerateEntries"/>): its absolute path, and whether it is a link.</summary>
public sealed record ListedEntry(string Path, bool IsLink);

/// <summary>The tree's files, in a stable order.</summary>
public static class SourceFiles
{
    /// <summary>
    /// Every entry under ROOT that is not a folder — files, links to anything, FIFOs, sockets, devices — outside hidden
    /// folders, without entering linked folders, sorted; each with whether it is a link.
    /// </summary>
    /// <remarks>
    /// Entries are objects, not value tuples: the runtime's enumerator over a struct is generic code compiled at the first
    /// listing of each process (~14 ms of an unchanged re-scan's look-up in a trace), over objects it is the runtime's
    /// own code, compiled ahead of time.
    /// </remarks>
    public static IEnumerable<ListedEntry> EnumerateEntries(string root) =>
        new System.IO.Enumeration.FileSystemEnumerable<ListedEntry>(root,
                (ref System.IO.Enumeration.FileSystemEntry entry) =>
                    new ListedEntry(entry.ToFullPath(), (entry.Attributes & FileAttributes.ReparsePoint) != 0),
                new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseSensitive, AttributesToSkip = 0 })
        {
            // Hidden entries left out by their own name: no hidden folder is entered, so a path under the root is hidden
            // exactly when its last part is (each entry's relative path split and searched cost ~20 ms of xnu-11417's listing).
            ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry entry) =>
                (!entry.IsDirectory || (entry.Attributes & FileAttributes.ReparsePoint) != 0) && !entry.FileName.StartsWith('.'),
            ShouldRecursePredicate = (ref System.IO.Enumeration.FileSystemEntry entry) =>
                (entry.Attributes & FileAttributes.ReparsePoint) == 0 && !entry.FileName.StartsWith('.'),
        }
            .OrderBy(e => e.Path, StringComparer.Ordinal);

    public static SourceLanguage? LanguageOf(string path) => Path.GetExtension(path) switch
    {
        ".c" => SourceLanguage.C,
        ".cpp" or ".cc" or ".cxx" => SourceLanguage.Cxx,
        ".s" or ".S" => SourceLanguage.Assembly,
        _ => null,
    };

    public static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
}

/// <summary>Flags for a tree Parascope knows nothing about: the file's own folder and the root as include paths.</summary>
public static class GenericProfile
{
    public static string TargetTriple(string arch) => Architecture.Named(arch).TargetTriple;

    public static SourceUnit Unit(DiscoveryRequest request, string path, string relative, SourceLanguage language, string arch)
    {
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.Add($"--target={TargetTriple(arch)}");
        if (request.ResourceDirectory is not null)
        {
            arguments.Add("-resource-dir");
            arguments.Add(request.ResourceDirectory);
        }
        arguments.Add(language == SourceLanguage.Cxx ? "-xc++" : "-xc");
        if (language == SourceLanguage.Cxx)
        {
            arguments.Add("-std=gnu++17");
            arguments.Add("-fno-exceptions");
            arguments.Add("-fno-rtti");
        }
        else
        {
            arguments.Add("-std=gnu11");
        }
        arguments.Add("-I" + request.Root);
        arguments.Add("-I" + Path.GetDirectoryName(path));
        // Kernel code has no hosted libc: clang's own stdint.h/stddef.h must not reach for the host's.
        arguments.Add("-ffreestanding");
        arguments.Add("-ferror-limit=0");
        arguments.Add("-Wno-everything");
        return new SourceUnit
        {
            Path = path,
            RelativePath = relative,
            Language = language,
            Arch = arch,
            Arguments = arguments.ToImmutable(),
            Subsystem = Subsystems.Of(relative),
            Origin = "generic",
        };
    }
}
