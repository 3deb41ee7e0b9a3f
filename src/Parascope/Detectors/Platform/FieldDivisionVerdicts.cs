using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Detectors.Platform;

/// <summary>
/// The whole-tree half of the platform detector: a read that fills a structure field (`fills`) takes the consequence of
/// the first division by that field, in file and line order, in any unit of its arch: xnu-11417's cpuid.c stores CPUID
/// leaf 0x15's denominator and tsc.c divides by it, so a virtual CPU answering 0 stops the kernel with a divide error.
/// Run once every unit's findings are in — after a whole scan's detection, and in `merge` over the divisions all shards
/// carry — never inside a shard, whose units are not the tree's: both ways then give one verdict.
/// </summary>
public static class FieldDivisionVerdicts
{
    public static ImmutableArray<Finding> Apply(ImmutableArray<Finding> findings, IReadOnlyCollection<FieldDivision> divisions)
    {
        if (divisions.Count == 0)
        {
            return findings;
        }
        var byField = divisions.ToLookup(d => d.Field, StringComparer.Ordinal);
        return findings.Select(f => Joined(f, byField)).ToImmutableArray();
    }

    private static Finding Joined(Finding finding, ILookup<string, FieldDivision> byField)
    {
        if (finding.Otherwise is not null || !finding.Properties.TryGetValue("fills", out var fields))
        {
            return finding;
        }
        FieldDivision? first = null;
        foreach (var field in fields.Split(' '))
        {
            foreach (var division in byField[field])
            {
                if (finding.Arches.Contains(division.Arch) && (first is null || Before(division.File, division.Line, first.File, first.Line)))
                {
                    first = division;
                }
            }
        }
        if (first is null)
        {
            return finding;
        }
        var properties = finding.Properties.SetItem("divides-at", $"{first.File}:{first.Line.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        var otherwise = PlatformDetector.Conditioned(
            PlatformDetector.DivideErrorText(first.Text, first.File, first.Line, first.Divisor, first.Path), properties);
        return finding with
        {
            Otherwise = otherwise,
            Properties = properties,
            // Under an early return the rule's own verdict stands, as for a read whose division is in its unit.
            Verdict = PlatformDetector.Panics(otherwise) ? "blocking" : finding.Verdict,
        };
    }

    /// <summary>Whether a division at (file, line) comes before another in the order every join takes the first by.</summary>
    internal static bool Before(string file, int line, string otherFile, int otherLine) =>
        string.CompareOrdinal(file, otherFile) is var order && (order < 0 || (order == 0 && line < otherLine));
}
