using System.Text.RegularExpressions;

namespace Parascope.Parsing;

/// <summary>
/// libclang spells a declaration without a name by where it is written, as clang opened the file: the implicit
/// constructor of `union { … } u;` in C++ is "(unnamed union at /home/me/xnu/osfmk/mach/ndr.h:117:2)", a lambda's
/// class "(lambda at …)", and diagnostics name such types the same way. A report must not depend on where the tree is
/// checked out (two checkouts of one tree give byte-identical reports, and `merge` unites shards scanned on different
/// machines), so a file under the scanned root is named relative to it, as findings name their files; a file outside
/// the root (clang's own headers, stand-ins in the cache) keeps its path.
/// </summary>
public static partial class AnonymousSpellings
{
    /// <summary>TEXT with every anonymous declaration's file under ROOT (an absolute folder) made root-relative.</summary>
    public static string Relative(string text, string root)
    {
        // Most names have no anonymous part: answer them without a regex or an allocation.
        if (!text.Contains(" at ", StringComparison.Ordinal))
        {
            return text;
        }
        var prefix = root.EndsWith('/') ? root : root + "/";
        return Location().Replace(text, match =>
        {
            var path = match.Groups["path"].Value;
            if (!Path.IsPathRooted(path))
            {
                return match.Value;
            }
            var full = Path.GetFullPath(path);
            return full.StartsWith(prefix, StringComparison.Ordinal)
                ? match.Value.Replace(" at " + path + ":", " at " + full[prefix.Length..] + ":", StringComparison.Ordinal)
                : match.Value;
        });
    }

    /// <summary>"(unnamed struct at PATH:LINE:COLUMN)", "(anonymous union at …)", "(lambda at …)", "(unnamed at …)".</summary>
    [GeneratedRegex(@"\((?:unnamed|anonymous|lambda)(?: [a-z]+)? at (?<path>[^()]+?):\d+:\d+\)", RegexOptions.CultureInvariant)]
    private static partial Regex Location();
}
