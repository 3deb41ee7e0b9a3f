using System.Reflection;
using System.Runtime.InteropServices;
using Parascope.Clang.Interop;

namespace Parascope.Clang;

/// <summary>Where a libclang candidate comes from, in the order they are tried.</summary>
public enum LibclangSource
{
    /// <summary>PARASCOPE_LIBCLANG: the user's explicit choice, tried alone.</summary>
    Environment,
    /// <summary>The libclang NuGet runtime package in the tool's own folder (runtimes/RID/native/).</summary>
    Bundled,
    /// <summary>A libclang installed on the machine, newest version first.</summary>
    System,
}

/// <summary>One path (or bare library name, for the dynamic loader's search) to try as libclang.</summary>
public readonly record struct LibclangCandidate(string Path, LibclangSource Source);

/// <summary>
/// Finds and loads libclang at run time. Different libclang versions give different findings on the same tree
/// (xnu-11417 x86_64: 2,390 with Debian's 14, 2,842 with 22.1.8; docs/libclang.md), so the tool carries its own
/// (the `libclang.runtime.*` NuGet package, 22.1.8) and every machine parses with the same one.
/// Order: PARASCOPE_LIBCLANG alone when set; else the bundled library; else system libclangs, newest first
/// (libclang-22.so.1 … libclang-14.so.1, then unversioned names and the macOS toolchains').
/// </summary>
public static class LibclangLoader
{
    public const string EnvironmentVariable = "PARASCOPE_LIBCLANG";
    public const int NewestSystemVersion = 22;
    public const int OldestSystemVersion = 14;
    private static readonly object Gate = new();
    private static nint _handle;
    private static LibclangCandidate? _loaded;
    private static string? _error;
    private static bool _attempted;

    /// <summary>
    /// Whether the loaded libclang exports clang_getCursorBinaryOperatorKind (libclang 17 and later); the binding
    /// reads the operator from its token where it does not (<see cref="Cursor.IsAssignment"/>).
    /// </summary>
    public static bool HasBinaryOperatorKind => _hasBinaryOperatorKind ??= TryLoad(out _) && NativeLibrary.TryGetExport(_handle, "clang_getCursorBinaryOperatorKind", out _);
    private static bool? _hasBinaryOperatorKind;

    /// <summary>Where libclang was loaded from, after a successful <see cref="TryLoad"/>.</summary>
    public static string? LoadedFrom => _loaded?.Path;

    /// <summary>Which kind of candidate was loaded, after a successful <see cref="TryLoad"/>.</summary>
    public static LibclangSource? Source => _loaded?.Source;

    /// <summary>
    /// Where the library came from, as reports print it: "bundled" for the tool's own copy (its absolute path would
    /// differ between machines and installs), otherwise the path or name it was loaded by.
    /// </summary>
    public static string? Origin => _loaded is { } loaded ? OriginOf(loaded) : null;

    public static string OriginOf(LibclangCandidate candidate) =>
        candidate.Source == LibclangSource.Bundled ? "bundled" : candidate.Path;

    public static IEnumerable<LibclangCandidate> Candidates() =>
        Candidates(Environment.GetEnvironmentVariable(EnvironmentVariable), ToolDirectories());

    /// <summary>The candidates for a given PARASCOPE_LIBCLANG value and tool folders, in the order they are tried.</summary>
    public static IEnumerable<LibclangCandidate> Candidates(string? fromEnvironment, IEnumerable<string> toolDirectories)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            // An explicit choice is never second-guessed: if it does not load, that is the error.
            yield return new LibclangCandidate(fromEnvironment, LibclangSource.Environment);
            yield break;
        }
        foreach (var path in BundledPaths(toolDirectories))
        {
            yield return new LibclangCandidate(path, LibclangSource.Bundled);
        }
        foreach (var name in SystemNames())
        {
            yield return new LibclangCandidate(name, LibclangSource.System);
        }
    }

    /// <summary>
    /// Where the runtime package puts the library: runtimes/RID/native/ for a portable build (dotnet build, the packed
    /// tool), the output folder itself for a RID-specific publish.
    /// </summary>
    public static IEnumerable<string> BundledPaths(IEnumerable<string> toolDirectories)
    {
        var file = NativeFileName();
        foreach (var directory in toolDirectories.Distinct(StringComparer.Ordinal))
        {
            yield return Path.Combine(directory, "runtimes", RuntimeIdentifier(), "native", file);
            yield return Path.Combine(directory, file);
        }
    }

    private static IEnumerable<string> SystemNames()
    {
        for (var version = NewestSystemVersion; version >= OldestSystemVersion; version--)
        {
            yield return $"libclang-{version}.so.1";
            yield return $"/usr/lib/llvm-{version}/lib/libclang.so.1";
        }
        yield return "libclang.so";
        yield return "libclang.so.1";
        yield return "libclang.dylib";
        yield return "/Library/Developer/CommandLineTools/usr/lib/libclang.dylib";
        yield return "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/lib/libclang.dylib";
    }

    /// <summary>The folders the tool runs from (the host's base folder and this assembly's, usually the same).</summary>
    private static IEnumerable<string> ToolDirectories()
    {
        yield return AppContext.BaseDirectory;
        var assembly = typeof(LibclangLoader).Assembly.Location;
        if (!string.IsNullOrEmpty(assembly) && Path.GetDirectoryName(assembly) is { } directory)
        {
            yield return directory;
        }
    }

    /// <summary>The NuGet runtime identifier of the packages' native folders: linux-x64, osx-arm64, win-x64…</summary>
    public static string RuntimeIdentifier()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            _ => "x64",
        };
        return $"{os}-{arch}";
    }

    private static string NativeFileName() =>
        OperatingSystem.IsWindows() ? "libclang.dll" : OperatingSystem.IsMacOS() ? "libclang.dylib" : "libclang.so";

    /// <summary>Loads libclang once per process; returns false with a one-line reason when none loads.</summary>
    public static bool TryLoad(out string? error)
    {
        lock (Gate)
        {
            if (!_attempted)
            {
                _attempted = true;
                foreach (var candidate in Candidates())
                {
                    if (candidate.Source == LibclangSource.Bundled && !File.Exists(candidate.Path))
                    {
                        continue;
                    }
                    if (NativeLibrary.TryLoad(candidate.Path, out var handle) && NativeLibrary.TryGetExport(handle, "clang_parseTranslationUnit2", out _))
                    {
                        _handle = handle;
                        _loaded = candidate;
                        break;
                    }
                }
                if (_handle == 0)
                {
                    var named = Environment.GetEnvironmentVariable(EnvironmentVariable);
                    _error = string.IsNullOrWhiteSpace(named)
                        ? "no libclang could be loaded (the bundled one is missing from the tool's folder); install one (Debian: apt-get install libclang1-14, or newer) or set PARASCOPE_LIBCLANG to its path"
                        : $"{EnvironmentVariable}={named} could not be loaded as libclang";
                }
                else
                {
                    NativeLibrary.SetDllImportResolver(typeof(clang).Assembly, Resolve);
                }
            }
            error = _error;
            return _handle != 0;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == clang.LibraryName ? _handle : 0;

    /// <summary>The version string of the loaded library, e.g. "Debian clang version 14.0.6".</summary>
    public static string Version() => ClangString.Take(clang.clang_getClangVersion());

    /// <summary>The major version in a clang version string ("Debian clang version 14.0.6" → 14), or null.</summary>
    public static int? MajorVersion(string versionText)
    {
        var marker = versionText.IndexOf("version ", StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }
        var rest = versionText[(marker + "version ".Length)..];
        var digits = rest.TakeWhile(char.IsAsciiDigit).Count();
        return digits > 0 && int.TryParse(rest[..digits], out var major) ? major : null;
    }
}
