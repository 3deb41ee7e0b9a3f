using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Rules;

namespace Parascope.Detectors.Platform;

/// <summary>
/// Platform sites (rules/platform.yaml): what an unmodified kernel expects of the machine — CPU identity gates,
/// hypervisor detection, time sources, firmware and platform devices, hardware binding — each with the values a
/// virtual machine must present, what happens otherwise, and a readiness verdict for an HVM boot.
/// </summary>
public sealed class PlatformDetector : IDetector
{
    public string Name => "platform";

    private readonly PlatformRules _rules;

    /// <summary>Indexes the platform rules once, for every unit of the scan.</summary>
    public PlatformDetector(RuleSet rules) => _rules = new PlatformRules(rules);

    public IUnitCollector CreateCollector(UnitScope scope) => new PlatformCollector(_rules);

    public void Detect(DetectionContext context, FindingSink sink)
    {
        var divisions = DivisionsByRead(context);
        foreach (var (unit, facts) in context.FactsOf<PlatformFacts>())
        {
            var fills = facts.FieldStores.ToLookup(s => (s.ReadFile, s.ReadLine, s.ReadColumn), s => s.Field);
            foreach (var site in facts.Sites)
            {
                if (!context.Rules.TryGet(site.RuleId, out var rule))
                {
                    continue;
                }
                var otherwise = site.Otherwise;
                var properties = site.Properties;
                // A later read into the same variable, in the same block, starts again: `err = lookup(…); … err =
                // get_property(…); if (err …)` tests the second read, not the first.
                var nextRead = site.ReadAgainLine ?? int.MaxValue;
                if (otherwise is null && site.AssignedTo is { } variable
                    && facts.Gates.Where(g => g.File == site.File && g.Function == site.Function && g.Variable == variable && g.Line > site.Line && g.Line < nextRead)
                        .OrderBy(g => g.Line).FirstOrDefault() is { } gate)
                {
                    // busFreq = EFI_get_frequency("FSBFrequency"); … if (busFreq != 0) … else panic(…): the read's consequence.
                    otherwise = gate.Otherwise;
                    properties = properties.SetItem("otherwise-line", gate.Line.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    if (facts.Assignments.FirstOrDefault(a => a.File == site.File && a.Function == site.Function && a.Variable == variable
                            && a.Line > site.Line && a.Line < gate.Line) is { } again)
                    {
                        // Set again in between (a default on some path): the panic is met only where it is not, so the
                        // read does not block by itself; the rule's own verdict stands and the panic is said with its condition.
                        otherwise = $"where {variable} is not set again (line {again.Line}): {gate.Otherwise}";
                        properties = properties.SetItem("reassigned-line", again.Line.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
                if (otherwise is null && divisions.TryGetValue((unit.Unit.Arch, site.File, site.Line, site.Column), out var division))
                {
                    // tscGranularity = bitfield(rdmsr64(MSR_PLATFORM_INFO), 15, 8); … busFCvtt2n / tscGranularity: a VM whose
                    // MSR or CPUID leaf answers 0 stops the kernel with a divide error.
                    otherwise = DivideErrorText(division.Text, division.File, division.Line, division.Divisor, division.Path);
                    properties = properties.SetItem("divides-at", $"{division.File}:{division.Line.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                }
                if (fills[(site.File, site.Line, site.Column)] is var filled && filled.Any())
                {
                    // info_p->cpuid_tsc_leaf.denominator = reg[eax]: a division by the field, in any unit, is the read's
                    // consequence; the whole tree joins them (FieldDivisionVerdicts), since a shard sees only its units.
                    properties = properties.SetItem("fills", string.Join(' ', filled.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)));
                }
                if ((Panics(otherwise) || properties.ContainsKey("fills"))
                    && facts.EarlyReturns.LastOrDefault(r => r.File == site.File && r.Function == site.Function && r.Line < site.Line) is { } early)
                {
                    // if (mode == MODE_NONE) return; … panic(…): the panic waits for a boot-arg or a configuration step to set the
                    // global, so a default first boot does not meet it; the rule's own verdict stands and the condition is said.
                    properties = properties.SetItem("early-return-line", early.Line.ToString(System.Globalization.CultureInfo.InvariantCulture))
                        .SetItem("until", $"{early.Variable} is set (line {early.Line} returns while {early.Condition}, as a global is until set)");
                }
                otherwise = Conditioned(otherwise, properties);
                var context1 = unit.Unit.Language == SourceLanguage.Cxx ? SourceContext.Cxx : SourceContext.C;
                sink.Add(context.FindingOf(rule, site.File, site.Line, site.Column, context1, site.Detail) with
                {
                    Function = site.Function,
                    Arches = [unit.Unit.Arch],
                    Properties = properties,
                    Values = site.Values,
                    Otherwise = otherwise,
                    Item = rule.Readiness?.Item,
                    // A gate on baseline features only (every guest CPU has them) cannot fail: the HVM boot passes it as is.
                    Verdict = properties.ContainsKey("baseline-features") ? "works-emulated" : VerdictOf(rule, otherwise),
                    Walks = context.WalkOf(unit, site.File, site.Function),
                });
            }
        }
    }

    private const string DivideError = "divide error (a panic)";

    /// <summary>The consequence of a read the target refuses (`faulting-reads`).</summary>
    internal const string GeneralProtection = "general-protection fault (a panic)";

    /// <summary>A site whose failure panics blocks the first boot, whatever the rule's verdict for the item.</summary>
    public static string? VerdictOf(Rule rule, string? otherwise) => Panics(otherwise) ? "blocking" : rule.Readiness?.Verdict;

    internal static bool Panics(string? otherwise) => otherwise is not null
        && (otherwise.StartsWith("panic", StringComparison.OrdinalIgnoreCase) || otherwise.StartsWith(DivideError, StringComparison.Ordinal)
            || otherwise.StartsWith(GeneralProtection, StringComparison.Ordinal));

    /// <summary>
    /// Every division by a read's value held in a variable, untested for zero, by the read (arch, file, line, column):
    /// both are in one unit. A division by a field some read fills is joined over the whole tree (<see cref="FieldDivisions"/>).
    /// The first division in file and line order when several divide by one read.
    /// </summary>
    private static Dictionary<(string Arch, string File, int Line, int Column), DivisionByRead> DivisionsByRead(DetectionContext context)
    {
        var byRead = new Dictionary<(string, string, int, int), DivisionByRead>();
        foreach (var (unit, facts) in context.FactsOf<PlatformFacts>())
        {
            foreach (var division in facts.Divisions.Where(d => d.ReadFile is not null))
            {
                var key = (unit.Unit.Arch, division.ReadFile!, division.ReadLine, division.ReadColumn);
                if (!byRead.TryGetValue(key, out var first) || FieldDivisionVerdicts.Before(division.File, division.Line, first.File, first.Line))
                {
                    byRead[key] = division;
                }
            }
        }
        return byRead;
    }

    /// <summary>
    /// Every division by a field filled from a read, in every unit, sorted: the whole-tree join's input
    /// (<see cref="FieldDivisionVerdicts"/>), carried by a shard's report for `merge`.
    /// </summary>
    public static ImmutableArray<FieldDivision> FieldDivisions(DetectionContext context) =>
        [.. context.FactsOf<PlatformFacts>()
            .SelectMany(u => u.Facts.Divisions.Where(d => d.Field is not null)
                .Select(d => new FieldDivision(d.Field!, u.Unit.Unit.Arch, d.File, d.Line, d.Function, d.Text, d.Divisor, d.Path)))
            .Distinct()
            .OrderBy(d => d.Field, StringComparer.Ordinal).ThenBy(d => d.Arch, StringComparer.Ordinal).ThenBy(d => d.File, StringComparer.Ordinal)
            .ThenBy(d => d.Line).ThenBy(d => d.Text, StringComparer.Ordinal).ThenBy(d => d.Divisor, StringComparer.Ordinal)
            .ThenBy(d => d.Function, StringComparer.Ordinal).ThenBy(d => d.Path, StringComparer.Ordinal)];

    internal static string DivideErrorText(string text, string file, int line, string divisor, string? path) =>
        $"{DivideError} when it reads 0: {text} ({file}:{line}) divides by {divisor}, not tested for 0" + (path is { } on ? $", on {on}" : "");

    /// <summary>
    /// A panicking consequence with the conditions it is met under: an early return before the site
    /// (`until`, <see cref="EarlyReturn"/>) and the identity-switch path the site is on (`path`).
    /// </summary>
    internal static string? Conditioned(string? otherwise, ImmutableSortedDictionary<string, string> properties)
    {
        if (!Panics(otherwise))
        {
            return otherwise;
        }
        if (properties.TryGetValue("until", out var until))
        {
            otherwise = $"only once {until}: {otherwise}";
        }
        // case CPUFAMILY_INTEL_PENRYN: … panic(…): only a virtual CPU of that family meets it.
        return properties.TryGetValue("path", out var path) ? $"{otherwise}; only on {path}" : otherwise;
    }
}
