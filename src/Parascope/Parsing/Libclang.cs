using Parascope.Clang;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>The engine's side of loading libclang: the binding's reason, as the one input-error type every stage uses.</summary>
public static class Libclang
{
    /// <summary>Loads libclang once per process; null when it is there, else what to install.</summary>
    public static InputError? Load() => LibclangLoader.TryLoad(out var error) ? null : new InputError(error!);

    /// <summary>
    /// The clang driver of the loaded libclang's major version ("clang-22" for "clang version 22.1.8 (…)"), so that a
    /// command printed to reproduce a parse runs the same front end; plain "clang" when the version does not say.
    /// </summary>
    public static string MatchingClang() => DriverName(LibclangLoader.Version());

    /// <summary>The loaded libclang's major version (14, 22), or null when none loads or its version does not say.</summary>
    public static int? LoadedMajorVersion() => LibclangLoader.TryLoad(out _) ? LibclangLoader.MajorVersion(LibclangLoader.Version()) : null;

    public static string DriverName(string clangVersion) =>
        System.Text.RegularExpressions.Regex.Match(clangVersion, @"clang version (\d+)\.") is { Success: true } match
            ? $"clang-{match.Groups[1].Value}"
            : "clang";
}
