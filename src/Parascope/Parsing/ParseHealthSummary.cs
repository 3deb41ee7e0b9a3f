using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>Parse health from the parsed units: how much of the tree the detectors actually saw.</summary>
public static partial class ParseHealthSummary
{
    private const int TopCount = 10;

    [GeneratedRegex("^'(?<header>[^']+)' file not found")]
    private static partial Regex MissingHeader();

    /// <summary>
    /// The health of UNITS: counts, the top 10 missing headers and errors (every one when ALLCOUNTS: a shard's report
    /// carries them all, so that `merge` ranks the whole scan's top 10 exactly), and the unit list when asked.
    /// </summary>
    public static ParseHealth From(IReadOnlyCollection<ParsedUnit> units, bool includeUnits, bool allCounts = false)
    {
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        var messages = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            foreach (var header in unit.Errors.Select(e => MissingHeader().Match(e.Message)).Where(m => m.Success)
                         .Select(m => m.Groups["header"].Value).Distinct(StringComparer.Ordinal))
            {
                missing[header] = missing.GetValueOrDefault(header) + 1;
            }
            foreach (var message in unit.Errors.Select(e => Normalise(e.Message)).Distinct(StringComparer.Ordinal))
            {
                messages[message] = messages.GetValueOrDefault(message) + 1;
            }
        }
        var counts = UnitCounts.Of([.. units.Select(u => (u.Status, u.HasFatal))]) with
        {
            InBuild = units.All(u => u.Unit.InBuild is null)
                ? null
                : UnitCounts.Of([.. units.Where(u => u.Unit.InBuild != false).Select(u => (u.Status, u.HasFatal))]),
        };
        return new ParseHealth
        {
            Counts = counts,
            MissingHeaders = Top(missing, allCounts ? int.MaxValue : TopCount),
            FrequentErrors = Top(messages, allCounts ? int.MaxValue : TopCount),
            Units = includeUnits
                ? units.Select(u => new UnitReport(u.Unit.RelativePath, u.Unit.Arch, u.Status,
                        u.Errors.Length == 0 ? null : Describe(u.Errors[0]), u.Errors.Length)
                {
                    Fatal = u.Status == UnitStatus.Failed || u.HasFatal,
                    Configuration = u.Unit.Configuration,
                    InBuild = u.Unit.InBuild,
                    OwnOptions = u.Unit.OwnOptions,
                })
                    .OrderBy(r => r.File, StringComparer.Ordinal).ThenBy(r => r.Arch, StringComparer.Ordinal)
                    .ToImmutableArray()
                : [],
        };
    }

    private static string Describe(Clang.ParseDiagnostic diagnostic) =>
        diagnostic.Line > 0 ? $"{Path.GetFileName(diagnostic.File)}:{diagnostic.Line}: {diagnostic.Message}" : diagnostic.Message;

    /// <summary>Identifiers in quotes vary per site; fold them so the same kind of error counts together.</summary>
    private static string Normalise(string message) =>
        MissingHeader().IsMatch(message) ? "file not found" : QuotedName().Replace(message, "'…'");

    [GeneratedRegex("'[^']*'")]
    private static partial Regex QuotedName();

    private static ImmutableArray<CountedText> Top(Dictionary<string, int> counts, int take) =>
        counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(take).Select(p => new CountedText(p.Key, p.Value)).ToImmutableArray();
}
