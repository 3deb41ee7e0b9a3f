using System.Reflection;
using System.Runtime.InteropServices;
using Parascope.Clang.Interop;

namespace Parascope.Clang;

/// <summary>
/// Finds and loads a libclang at run time, so one build runs against whatever clang the machine has.
/// Order: PARASCOPE_LIBCLANG, then libclang.so, then libclang-N.so.1 for N from 21 down to 14, then libclang.dylib.
/// </summary>
public static class LibclangLoader
{
    public const string EnvironmentVariable = "PARASCOPE_LIBCLANG";
    private static readonly object Gate = new();
    private static nint _handle;
    private static string? _loadedFrom;
    private static string? _error;
    private static bool _attempted;

    /// <summary>Where libclang was loaded from, after a successful <see cref="TryLoad"/>.</summary>
    public static string? LoadedFrom => _loadedFrom;

    public static IEnumerable<string> Candidates()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            yield return fromEnvironment;
            yield break;
        }
        yield return "libclang.so";
        for (var version = 21; version >= 14; version--)
        {
            yield return $"libclang-{version}.so.1";
            yield return $"/usr/lib/llvm-{version}/lib/libclang.so.1";
        }
        yield return "libclang.so.1";
        yield return "libclang.dylib";
    }

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
                    if (NativeLibrary.TryLoad(candidate, out var handle) && NativeLibrary.TryGetExport(handle, "clang_parseTranslationUnit2", out _))
                    {
                        _handle = handle;
                        _loadedFrom = candidate;
                        break;
                    }
                }
                if (_handle == 0)
                {
                    var named = Environment.GetEnvironmentVariable(EnvironmentVariable);
                    _error = string.IsNullOrWhiteSpace(named)
                        ? "no libclang could be loaded; install one (Debian: apt-get install libclang1-14, or newer) or set PARASCOPE_LIBCLANG to its path"
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
}
