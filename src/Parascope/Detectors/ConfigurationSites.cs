using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Detectors;

/// <summary>
/// Which kernel configurations compile each site. A scan parses each unit in one configuration (its own: RELEASE,
/// or the first that builds the file); units whose conditionals depend on what another configuration changes are
/// parsed again in it (<see cref="SourceUnit.Variant"/>). A site such a parse compiles is that configuration's:
/// it joins the finding of the same rule and line (adding the configuration) or, where the scan's own parse did
/// not report it, becomes an inactive finding of its own. <see cref="Finding.Active"/> keeps its meaning: compiled
/// by the configuration the scan parses the file in.
/// </summary>
public static class ConfigurationSites
{
    /// <summary>
    /// The scan's own findings with their configurations: an active one is compiled by the configuration of the units
    /// of its file (<paramref name="ownConfigurations"/>, by file), or, in a file no unit parses (a header), by
    /// <paramref name="defaultConfiguration"/>; an inactive one by none yet.
    /// </summary>
    /// <remarks>
    /// Boards likewise (<paramref name="ownPlatforms"/>, by file; <paramref name="defaultPlatform"/>, the scanned board,
    /// for a header no unit parses, when the scan parses other boards). A finding that several units report alike is one
    /// instance (a header's statement, <c>InstructionDetector</c>): it is given its configurations once, and stays one.
    /// </remarks>
    public static IEnumerable<Finding> Own(IEnumerable<Finding> findings, IReadOnlyDictionary<string, ImmutableArray<string>> ownConfigurations,
        string? defaultConfiguration, IReadOnlyDictionary<string, ImmutableArray<string>> ownPlatforms, string? defaultPlatform)
    {
        var given = new Dictionary<Finding, Finding>(ReferenceEqualityComparer.Instance);
        return findings.Select(f => !f.Active ? f : given.TryGetValue(f, out var known) ? known : given[f] = f with
        {
            Configurations = !f.Configurations.IsEmpty ? f.Configurations
                : ownConfigurations.TryGetValue(f.File, out var own) ? own
                : defaultConfiguration is null ? [] : [defaultConfiguration],
            Platforms = !f.Platforms.IsEmpty ? f.Platforms
                : ownPlatforms.TryGetValue(f.File, out var boards) ? boards
                : defaultPlatform is null ? [] : [defaultPlatform],
        });
    }

    /// <summary>
    /// Findings of a parse in another configuration (with those sharing the file's text: <paramref name="configurations"/>, by file) folded into the scan's own: each site that parse
    /// compiled (active there) becomes a copy of the scan's finding at the same rule and line, inactive, counting
    /// no unit, with the configuration — so the merger unites it with that finding — or, where there is none,
    /// the variant's own findings (every unit's), inactive, with the configuration.
    /// </summary>
    /// <remarks>Boards likewise: <paramref name="platforms"/>, by file (the board a unit was parsed again for, and those sharing its text).</remarks>
    public static IEnumerable<Finding> Fold(IReadOnlyList<Finding> own, IEnumerable<Finding> variant, Func<string, ImmutableArray<string>> configurations,
        Func<string, ImmutableArray<string>> platforms)
    {
        var byLine = own
            .GroupBy(f => (f.RuleId, f.File, f.Line))
            .ToDictionary(g => g.Key, g => g.First());
        var seen = new HashSet<(string, string, int)>();
        foreach (var finding in variant.Where(f => f.Active))
        {
            var key = (finding.RuleId, finding.File, finding.Line);
            if (byLine.TryGetValue(key, out var existing))
            {
                // A copy says that this configuration compiles the line, and where its units expand the macro (a use only
                // DEVELOPMENT code makes): every unit's expansions, which the merger unites with the scan's own. No
                // walk's view, whichever walker gave the finding it copies (merge keeps a body's views from one walker).
                if (seen.Add(key) || !finding.Expansions.IsEmpty)
                {
                    yield return existing with { Expansions = finding.Expansions, Active = false, Units = 0, Configurations = configurations(finding.File), Platforms = platforms(finding.File), Walks = [] };
                }
                continue;
            }
            // Every unit's view of a site only this configuration compiles, not the first unit's: the merger unites them
            // (a macro's site lists the expansions of every unit), as a merge of shards, each with some of the units, does.
            // The variants' own walkers are not the scan's (their reach is not counted): a shard keeps their views as they are.
            yield return finding with { Active = false, Units = 0, Configurations = configurations(finding.File), Platforms = platforms(finding.File), Walks = [] };
        }
    }
}
