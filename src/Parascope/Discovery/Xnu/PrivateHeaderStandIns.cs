using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// A stand-in for &lt;TrustCache/API.h&gt;, the header of Apple's libTrustCache, which the public tree includes
/// (libkern/amfi/amfi.h, bsd/sys/trust_caches.h, osfmk/vm/pmap_cs.h) but does not carry. Without it ~11 units per
/// arch stop at amfi.h's function-pointer types. It declares the type names with the members the tree uses, and
/// every kTC… constant the tree's sources name, as enumerators of the matching type: what parsing needs, not
/// the library's ABI (values are sequential, not Apple's).
/// </summary>
public static partial class TrustCacheStandIn
{
    public const string Name = "TrustCache/API.h";

    private const string Types = """
        #pragma once
        #include <stdint.h>
        #include <stddef.h>
        #include <stdbool.h>
        typedef uint32_t TCType_t;
        typedef uint32_t TCQueryType_t;
        typedef uint64_t TCCapabilities_t;
        typedef struct { uint32_t component; uint32_t error; uint32_t uniqueError; } TCReturn_t;
        typedef struct TrustCache { struct TrustCache *next; const void *module; size_t moduleSize; } TrustCache_t;
        typedef struct { const TrustCache_t *trustCache; const void *trustCacheEntry; } TrustCacheQueryToken_t;
        typedef struct { void *opaque[8]; } TrustCacheMutableRuntime_t;
        typedef struct { void *opaque[8]; TrustCacheMutableRuntime_t *mutableRT; bool allowSecondStaticTC; bool allowEngineeringTC; } TrustCacheRuntime_t;
        typedef struct { const char *entitlementValue; } TCTypeConfig_t;
        extern const TCTypeConfig_t TCTypeConfig[];
        #define kTCEntryHashSize 20
        #define kUUIDSize 16
        #ifdef __cplusplus
        extern "C" {
        #endif
        TCReturn_t trustCacheInitializeRuntime(TrustCacheRuntime_t *runtime, ...);
        #ifdef __cplusplus
        }
        #endif

        """;

    /// <summary>kTC constants by family: the type they belong to.</summary>
    private static readonly (string Prefix, string Type)[] Families =
    [
        ("kTCQueryType", "TCQueryType_t"), ("kTCType", "TCType_t"), ("kTCReturn", "uint32_t"), ("kTCCapability", "TCCapabilities_t"),
    ];

    [GeneratedRegex(@"\bkTC[A-Z][A-Za-z0-9]*\b")]
    private static partial Regex Constant();

    /// <summary>The header text for a tree whose sources name CONSTANTS (collected with <see cref="Collect"/>).</summary>
    public static string Text(string banner, IEnumerable<string> constants)
    {
        var text = new StringBuilder(banner).Append(Types);
        var names = constants.Where(c => c != "kTCEntryHashSize").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var (prefix, _) in Families)
        {
            // kTCQueryType… before kTCType…: the longer prefix claims its names first.
            var members = names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            names.RemoveAll(members.Contains);
            // Invalid/None/Success first (0), Total last, so range checks such as `type < kTCTypeTotal` hold.
            members = [.. members.OrderBy(n => n.EndsWith("Invalid", StringComparison.Ordinal) || n.EndsWith("None", StringComparison.Ordinal) || n.EndsWith("Success", StringComparison.Ordinal) ? 0 : n.EndsWith("Total", StringComparison.Ordinal) ? 2 : 1)];
            if (members.Count > 0)
            {
                text.Append("enum { ").Append(string.Join(", ", members)).Append(" };\n");
            }
        }
        if (names.Count > 0)
        {
            text.Append("enum { ").Append(string.Join(", ", names)).Append(" };\n");
        }
        return text.ToString();
    }

    /// <summary>The kTC… names one source text uses.</summary>
    public static IEnumerable<string> Collect(string text) =>
        text.Contains("kTC", StringComparison.Ordinal) ? Constant().Matches(text).Select(m => m.Value) : [];
}

/// <summary>
/// A stand-in for &lt;CodeSignature/Entitlements.h&gt; (Apple's private code-signing header; bsd/kern/kern_exec.c and
/// bsd/net/necp_client.c include it): every kCS…Entitlement name the tree's sources use, as a string constant.
/// The strings are placeholders, not Apple's entitlement names.
/// </summary>
public static partial class EntitlementsStandIn
{
    public const string Name = "CodeSignature/Entitlements.h";

    [GeneratedRegex(@"\bkCS[A-Za-z0-9]*Entitlement\b")]
    private static partial Regex Constant();

    public static string Text(string banner, IEnumerable<string> constants) =>
        banner + "#pragma once\n" + string.Concat(constants.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(c => $"#define {c} \"parascope.{c}\"\n"));

    public static IEnumerable<string> Collect(string text) =>
        text.Contains("kCS", StringComparison.Ordinal) ? Constant().Matches(text).Select(m => m.Value) : [];
}

/// <summary>
/// Definitions that Apple's publishing stripped from a header the tree does carry, while code of the same tree
/// still uses them. xnu-4903 and xnu-6153 publish `osfmk/i386/hw_defs.h` without the PCI configuration ports that
/// `osfmk/i386/cpuid.h`'s inline `is_xeon_sp()` passes to outl/inl, so every x86_64 unit that includes cpuid.h in
/// MACH_KERNEL_PRIVATE (~32 per tree) stops there; later trees publish them in the same header. What is applied is
/// read from the tree: a definition is appended to its header (in memory, like the missing #endifs) only when the
/// tree holds that header, some file of the tree uses the name, and no file of the tree defines it. Each value is
/// the hardware's, written here from the specification, not Apple's text.
/// </summary>
public static partial class StrippedDefinitions
{
    /// <summary>A macro HEADER (relative to the tree's root) should define as VALUE.</summary>
    public sealed record Definition(string Header, string Name, string Value);

    public static readonly ImmutableArray<Definition> Known =
    [
        // PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2): the address and data ports.
        new("osfmk/i386/hw_defs.h", "cfgAdr", "0xCF8"),
        new("osfmk/i386/hw_defs.h", "cfgDat", "0xCFC"),
        // The register cpuid.h's is_xeon_sp() reads ("PCI config space 1:30:3:0x98") as a mechanism #1 address:
        // enable bit, bus 1, device 30, function 3, offset 0x98.
        new("osfmk/i386/hw_defs.h", "XeonCapID5", "(0x80000000u | (1u << 16) | (30u << 11) | (3u << 8) | 0x98u)"),
    ];

    /// <summary>What the tree's texts say about the known names: which are used, which defined (fed every text's <see cref="Of"/> once).</summary>
    public sealed class Usage
    {
        private readonly HashSet<string> used = new(StringComparer.Ordinal);
        private readonly HashSet<string> defined = new(StringComparer.Ordinal);

        /// <summary>The known names TEXT uses and those it defines.</summary>
        public static (string[] Used, string[] Defined) Of(string text)
        {
            List<string> used = [], defined = [];
            foreach (var name in Known.Select(d => d.Name).Distinct(StringComparer.Ordinal))
            {
                if (!text.Contains(name, StringComparison.Ordinal))
                {
                    continue;
                }
                if (Regex.IsMatch(text, $@"\b{name}\b"))
                {
                    used.Add(name);
                }
                if (Regex.IsMatch(text, $@"^[ \t]*#[ \t]*define[ \t]+{name}\b", RegexOptions.Multiline))
                {
                    defined.Add(name);
                }
            }
            return ([.. used], [.. defined]);
        }

        /// <summary>Adds what one text uses and defines (<see cref="Of"/>).</summary>
        public void Add(string[] usedNames, string[] definedNames)
        {
            used.UnionWith(usedNames);
            defined.UnionWith(definedNames);
        }

        /// <summary>The text to append to each header of ROOT that lacks definitions its tree uses, by absolute path.</summary>
        public IEnumerable<(string Path, string Text)> Additions(string root) =>
            Known.Where(d => used.Contains(d.Name) && !defined.Contains(d.Name) && RegularFiles.Exists(Path.Combine(root, d.Header)))
                .GroupBy(d => d.Header, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (Path.GetFullPath(Path.Combine(root, g.Key)),
                    "/* added by Parascope: used by the tree, not defined in its public copy */\n"
                    + string.Concat(g.Select(d => $"#ifndef {d.Name}\n#define {d.Name} {d.Value}\n#endif\n"))));
    }
}
