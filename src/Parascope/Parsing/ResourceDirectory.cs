using Parascope.Clang;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>
/// libclang loaded from outside an LLVM install (Debian's /usr/lib/x86_64-linux-gnu, the bundled NuGet copy) does
/// not find clang's builtin headers (stddef.h, stdarg.h, the intrinsics) without -resource-dir; without it nearly
/// every XNU unit fails (measured: 61 of 1,157 clean). The headers must be those of the loaded libclang's major
/// version: they use builtins and predefined macros of their own compiler. The NuGet package ships no headers, so
/// they come from the system (Debian: libclang-common-N-dev; macOS: the toolchain's lib/clang/N), or from
/// PARASCOPE_RESOURCE_DIR, which is taken as given (an explicit choice, not checked against the version).
/// </summary>
public static class ResourceDirectory
{
    public const string EnvironmentVariable = "PARASCOPE_RESOURCE_DIR";

    /// <summary>The resource directory for the loaded libclang, or null when none is found.</summary>
    public static string? Find() => Locate().Value;

    /// <summary>The resource directory for the loaded libclang, or a one-line error saying what to install.</summary>
    public static Checked<string> Locate()
    {
        var loaded = LibclangLoader.TryLoad(out _);
        return Locate(
            Environment.GetEnvironmentVariable(EnvironmentVariable),
            loaded ? LibclangLoader.Version() : string.Empty,
            loaded ? LibclangLoader.LoadedFrom : null,
            SystemClangFolders);
    }

    /// <summary>
    /// The folders that hold one resource directory per version (lib/clang/14.0.6, lib/clang/22), given the
    /// loaded libclang's major version (null: unknown).
    /// </summary>
    public static IEnumerable<string> SystemClangFolders(int? major)
    {
        if (major is { } known)
        {
            yield return $"/usr/lib/llvm-{known}/lib/clang";
        }
        else if (Directory.Exists("/usr/lib"))
        {
            foreach (var llvm in Directory.GetDirectories("/usr/lib", "llvm-*").OrderDescending(StringComparer.Ordinal))
            {
                yield return Path.Combine(llvm, "lib", "clang");
            }
        }
        yield return "/Library/Developer/CommandLineTools/usr/lib/clang";
        yield return "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/lib/clang";
        yield return "/usr/local/lib/clang";
        yield return "/usr/lib/clang";
        yield return "/usr/lib64/clang";
    }

    /// <summary>
    /// The rule: PARASCOPE_RESOURCE_DIR when set; else the first folder, next to the loaded library (an LLVM
    /// install's lib/clang) and then in <paramref name="clangFolders"/>, whose version subfolder has the loaded
    /// libclang's major version (14.0.6 and 14 both match 14) and an include/stddef.h.
    /// </summary>
    public static Checked<string> Locate(string? fromEnvironment, string versionText, string? libraryPath, Func<int?, IEnumerable<string>> clangFolders)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment)
                ? Checked<string>.Of(fromEnvironment)
                : new InputError($"{EnvironmentVariable}={fromEnvironment} is not a folder");
        }
        var major = LibclangLoader.MajorVersion(versionText);
        var folders = new List<string>();
        if (libraryPath is not null && Path.IsPathRooted(libraryPath) && Path.GetDirectoryName(libraryPath) is { } libraryDirectory)
        {
            folders.Add(Path.Combine(libraryDirectory, "clang"));
        }
        folders.AddRange(clangFolders(major));
        foreach (var folder in folders.Where(Directory.Exists))
        {
            var candidate = Directory.GetDirectories(folder)
                .Where(dir => File.Exists(Path.Combine(dir, "include", "stddef.h")))
                .Where(dir => major is null || Path.GetFileName(dir).Split('.')[0] == major.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .OrderDescending(StringComparer.Ordinal)
                .FirstOrDefault();
            if (candidate is not null)
            {
                return Checked<string>.Of(candidate);
            }
        }
        return new InputError(MissingMessage(major, libraryPath));
    }

    /// <summary>
    /// One line saying what to install. A missing resource directory is an error, not a reason to fall back to
    /// another (system) libclang whose headers happen to exist: that fallback would silently change the findings
    /// (xnu-11417 x86_64: 2,390 with 14 against 2,842 with 22, docs/libclang.md), which is what bundling one
    /// libclang is meant to end; the fix is one package, and PARASCOPE_LIBCLANG still picks another libclang on purpose.
    /// </summary>
    private static string MissingMessage(int? major, string? libraryPath)
    {
        var which = libraryPath is null ? "libclang" : $"libclang ({Path.GetFileName(libraryPath)})";
        return major is { } version
            ? $"clang {version}'s builtin headers (stddef.h…), needed by the loaded {which}, were not found; install them " +
              $"(Debian/Ubuntu: apt-get install libclang-common-{version}-dev; macOS: the Xcode command line tools) " +
              $"or set {EnvironmentVariable} to clang {version}'s resource directory"
            : $"clang's builtin headers (stddef.h…) were not found for the loaded {which}; set {EnvironmentVariable} to its resource directory";
    }
}
