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
                    otherwise = $"{DivideError} when it reads 0: {division.Text} ({division.File}:{division.Line}) divides by {division.Divisor}, not tested for 0"
                        + (division.Path is { } divisionPath ? $", on {divisionPath}" : "");
                    properties = properties.SetItem("divides-at", $"{division.File}:{division.Line.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                }
                if (Panics(otherwise)
                    && facts.EarlyReturns.LastOrDefault(r => r.File == site.File && r.Function == site.Function && r.Line < site.Line) is { } early)
                {
                    // if (mode == MODE_NONE) return; … panic(…): the panic waits for a boot-arg or a configuration step to set the
                    // global, so a default first boot does not meet it; the rule's own verdict stands and the condition is said.
                    otherwise = $"only once {early.Variable} is set (line {early.Line} returns while {early.Condition}, as a global is until set): {otherwise}";
                    properties = properties.SetItem("early-return-line", early.Line.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                if (Panics(otherwise) && properties.TryGetValue("path", out var path))
                {
                    // case CPUFAMILY_INTEL_PENRYN: … panic(…): only a virtual CPU of that family meets it.
                    otherwise += $"; only on {path}";
                }
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

    /// <summary>A site whose failure panics blocks the first boot, whatever the rule's verdict for the item.</summary>
    public static string? VerdictOf(Rule rule, string? otherwise) => Panics(otherwise) ? "blocking" : rule.Readiness?.Verdict;

    private static bool Panics(string? otherwise) => otherwise is not null
        && (otherwise.StartsWith("panic", StringComparison.OrdinalIgnoreCase) || otherwise.StartsWith(DivideError, StringComparison.Ordinal));

    /// <summary>
    /// Every division by a read's value untested for zero, by the read (arch, file, line, column); a division by a field
    /// goes to each read of the same unit that fills the field. Not across units: each shard of a sharded scan detects
    /// its own units, and a link from cpuid.c's read to tsc.c's division would make a shard's verdict differ from the
    /// whole scan's (merge is exact, docs/scale-out.md); such a link needs the whole-tree stage after the merge.
    /// The first division in file and line order when several divide by one read.
    /// </summary>
    private static Dictionary<(string Arch, string File, int Line, int Column), DivisionByRead> DivisionsByRead(DetectionContext context)
    {
        var byRead = new Dictionary<(string, string, int, int), DivisionByRead>();
        foreach (var (unit, facts) in context.FactsOf<PlatformFacts>())
        {
            var fieldReads = facts.FieldStores.ToLookup(s => s.Field, s => (s.ReadFile, s.ReadLine, s.ReadColumn), StringComparer.Ordinal);
            foreach (var division in facts.Divisions)
            {
                var reads = division.Field is { } field ? fieldReads[field]
                    : division.ReadFile is { } readFile ? [(readFile, division.ReadLine, division.ReadColumn)] : [];
                foreach (var (file, line, column) in reads)
                {
                    var key = (unit.Unit.Arch, file, line, column);
                    if (!byRead.TryGetValue(key, out var first) || string.CompareOrdinal(division.File, first.File) is var order && (order < 0 || (order == 0 && division.Line < first.Line)))
                    {
                        byRead[key] = division;
                    }
                }
            }
        }
        return byRead;
    }
}
