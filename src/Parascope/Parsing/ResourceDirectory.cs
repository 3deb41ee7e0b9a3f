using Parascope.Clang;

namespace Parascope.Parsing;

/// <summary>
/// libclang loaded from the system library folder does not find clang's builtin headers (stddef.h, stdarg.h)
/// without -resource-dir; without it nearly every XNU unit fails (measured: 61 of 1,157 clean). Find the folder
/// that belongs to the loaded libclang.
/// </summary>
public static class ResourceDirectory
{
    public static string? Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PARASCOPE_RESOURCE_DIR");
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }
        var version = MajorVersion(LibclangLoader.TryLoad(out _) ? LibclangLoader.Version() : string.Empty);
        var roots = version is null
            ? Directory.Exists("/usr/lib") ? Directory.GetDirectories("/usr/lib", "llvm-*").OrderDescending(StringComparer.Ordinal).ToArray() : []
            : [$"/usr/lib/llvm-{version}"];
        foreach (var root in roots.Append("/usr/local").Append("/usr"))
        {
            var clangLib = Path.Combine(root, "lib", "clang");
            if (!Directory.Exists(clangLib))
            {
                continue;
            }
            var candidate = Directory.GetDirectories(clangLib)
                .Where(dir => File.Exists(Path.Combine(dir, "include", "stddef.h")))
                .Where(dir => version is null || Path.GetFileName(dir).Split('.')[0] == version)
                .OrderDescending(StringComparer.Ordinal)
                .FirstOrDefault();
            if (candidate is not null)
            {
                return candidate;
            }
        }
        return null;
    }

    private static string? MajorVersion(string versionText)
    {
        // "Debian clang version 14.0.6" → "14"
        var marker = versionText.IndexOf("version ", StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }
        var rest = versionText[(marker + "version ".Length)..];
        var dot = rest.IndexOf('.');
        return dot > 0 ? rest[..dot] : null;
    }
}
