using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>The instruction set a piece of assembly text is written for; rules name it as "x86" or "arm64".</summary>
public enum InstructionFamily
{
    X86,
    Arm64,
}

/// <summary>
/// The line syntax of a family's assembler (GNU as on Darwin): what starts a comment running to the end of the line,
/// and what separates two statements on one line (a `;` is a comment on arm64, `%%` separates there).
/// </summary>
public sealed record AssemblerSyntax(char LineComment, string StatementSeparator);

/// <summary>
/// A scan arch and everything Parascope knows about it, in one place: adding an arch is a new instance here (and its
/// rules), not a switch in each stage. Reports keep arches as their names.
/// </summary>
public sealed record Architecture
{
    public required string Name { get; init; }
    public required InstructionFamily Family { get; init; }
    /// <summary>clang's -target for a tree Parascope knows nothing about (the generic profile).</summary>
    public required string TargetTriple { get; init; }
    /// <summary>Folder names whose contents this arch compiles (XNU's x86_64 kernel is built from osfmk/i386 and osfmk/x86_64).</summary>
    public required ImmutableHashSet<string> Folders { get; init; }
    /// <summary>What the compiler predefines for the arch (what cpp gives a .S file before any -D).</summary>
    public required ImmutableDictionary<string, string> PredefinedMacros { get; init; }
    /// <summary>The arch's kernel defines when the tree's makedefs name none (CFLAGS_ARCH absent in old trees).</summary>
    public required ImmutableArray<string> KernelDefines { get; init; }
    /// <summary>What MakeInc.def adds for a KASAN configuration on this arch (classic shadow on x86_64, TBI on arm64).</summary>
    public required ImmutableArray<string> KasanFlags { get; init; }
    /// <summary>Prefixes of a compile command's -target/-arch that mean this arch.</summary>
    public required ImmutableArray<string> CompilerTargets { get; init; }
    /// <summary>clang accepts -fapple-kext for C++ on this arch (not on i386, where the old GCC did).</summary>
    public bool AppleKext { get; init; } = true;

    public AssemblerSyntax Assembler => SyntaxOf(Family);

    public static readonly Architecture X86_64 = new()
    {
        Name = "x86_64",
        Family = InstructionFamily.X86,
        TargetTriple = "x86_64-apple-macos",
        Folders = ["x86_64", "i386", "i486", "x86"],
        PredefinedMacros = Macros(("__x86_64__", "1"), ("__x86_64", "1"), ("__LP64__", "1")),
        KernelDefines = ["-Dx86_64", "-DX86_64", "-D__X86_64__", "-DLP64"],
        KasanFlags = ["-DKASAN=1", "-DKASAN_LIGHT=0", "-DKASAN_CLASSIC=1", "-DKASAN_SCALE=3", "-DKASAN_OFFSET=0xdffff80000000000", "-fsanitize=address"],
        CompilerTargets = ["x86_64", "amd64"],
    };

    public static readonly Architecture I386 = new()
    {
        Name = "i386",
        Family = InstructionFamily.X86,
        TargetTriple = "i386-apple-darwin",
        Folders = ["i386", "i486", "x86"],
        PredefinedMacros = Macros(("__i386__", "1"), ("__i386", "1")),
        KernelDefines = ["-Di386", "-DI386", "-D__I386__"],
        KasanFlags = ["-DKASAN=1", "-DKASAN_LIGHT=0", "-DKASAN_CLASSIC=1", "-DKASAN_SCALE=3", "-DKASAN_OFFSET=0xdffff80000000000", "-fsanitize=address"],
        CompilerTargets = ["i386", "i686"],
        AppleKext = false,
    };

    /// <summary>clang 14's driver refuses kernel-hwaddress for an Apple target, so it goes to the front end directly.</summary>
    public static readonly Architecture Arm64 = new()
    {
        Name = "arm64",
        Family = InstructionFamily.Arm64,
        TargetTriple = "arm64-apple-macos",
        Folders = ["arm", "arm64", "aarch64"],
        PredefinedMacros = Macros(("__arm64__", "1"), ("__aarch64__", "1"), ("__LP64__", "1")),
        KernelDefines = ["-Darm64", "-DARM64", "-D__ARM64__", "-DLP64"],
        KasanFlags = ["-DKASAN=1", "-DKASAN_LIGHT=0", "-DKASAN_TBI=1", "-DKASAN_SCALE=4", "-DKASAN_OFFSET=0xf000000000000000", "-Xclang", "-fsanitize=kernel-hwaddress"],
        CompilerTargets = ["arm64", "aarch64"],
    };

    /// <summary>Every arch Parascope scans for, the default first.</summary>
    public static readonly ImmutableArray<Architecture> Known = [X86_64, I386, Arm64];

    public static Architecture Default => X86_64;

    public static ImmutableArray<string> Names => [.. Known.Select(a => a.Name)];

    /// <summary>Folders of arches Parascope does not scan (PowerPC): compiled for none of the known ones.</summary>
    public static readonly ImmutableHashSet<string> UnscannedFolders = ["ppc", "powerpc"];

    /// <summary>
    /// Folders of other instruction sets (ppc, sparc, mips, arm32's `armv7`…): their assembly is neither x86 nor arm64
    /// and reading it as either gives nonsense (`; in rare cases` is a PPC comment, an x86 `in`).
    /// </summary>
    public static readonly ImmutableHashSet<string> ForeignFolders = ["ppc", "ppc64", "powerpc", "sparc", "mips", "hppa", "m68k", "riscv"];

    /// <summary>Folder names that say which family their text is written for (arch folders, and the names other trees use).</summary>
    private static readonly ImmutableDictionary<string, InstructionFamily> FamilyFolders = new Dictionary<string, InstructionFamily>
    {
        ["i386"] = InstructionFamily.X86,
        ["x86_64"] = InstructionFamily.X86,
        ["x86"] = InstructionFamily.X86,
        ["amd64"] = InstructionFamily.X86,
        ["arm"] = InstructionFamily.Arm64,
        ["arm64"] = InstructionFamily.Arm64,
        ["aarch64"] = InstructionFamily.Arm64,
        ["arm64e"] = InstructionFamily.Arm64,
    }.ToImmutableDictionary(StringComparer.Ordinal);

    public static Architecture? Find(string name) => Known.FirstOrDefault(a => a.Name == name);

    /// <summary>The arch of a name that was checked when it entered (a request, a unit); an unknown one here is a bug.</summary>
    public static Architecture Named(string name) => Find(name) ?? throw new ArgumentException($"unknown arch '{name}'", nameof(name));

    /// <summary>The arch that stands for a family where only the family is known (lexical scans of unread files).</summary>
    public static Architecture Of(InstructionFamily family) => family == InstructionFamily.Arm64 ? Arm64 : X86_64;

    /// <summary>The family a folder name implies, or null for a folder that names none.</summary>
    public static InstructionFamily? FamilyOfFolder(string folder) => FamilyFolders.TryGetValue(folder, out var family) ? family : null;

    /// <summary>True when some known arch, or an unscanned one, claims the folder name.</summary>
    public static bool IsArchFolder(string folder) => UnscannedFolders.Contains(folder) || Known.Any(a => a.Folders.Contains(folder));

    /// <summary>The arch a compile command's -target/-arch names (x86_64 when it names an x86 or unknown target).</summary>
    public static Architecture FromCompilerTarget(string target) =>
        Known.FirstOrDefault(a => a.CompilerTargets.Any(prefix => target.StartsWith(prefix, StringComparison.Ordinal))) ?? Default;

    /// <summary>The name rules use for a family (rules/x86.yaml: `arch: x86`).</summary>
    public static string RuleName(InstructionFamily family) => family == InstructionFamily.Arm64 ? "arm64" : "x86";

    public static AssemblerSyntax SyntaxOf(InstructionFamily family) =>
        family == InstructionFamily.Arm64 ? new AssemblerSyntax(';', "%%") : new AssemblerSyntax('#', ";");

    private static ImmutableDictionary<string, string> Macros(params (string Name, string Value)[] own)
    {
        var defines = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        defines["__APPLE__"] = "1";
        defines["__MACH__"] = "1";
        defines["__ASSEMBLER__"] = "1";
        foreach (var (name, value) in own)
        {
            defines[name] = value;
        }
        return defines.ToImmutable();
    }
}
