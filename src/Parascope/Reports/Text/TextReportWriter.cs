using System.Globalization;
using Parascope.Model;
using Parascope.Planning;
using Parascope.Results;

namespace Parascope.Reports.Text;

/// <summary>
/// The console report: the hook table and the phases (the work), a table of sites by subsystem and category, then
/// the findings folded under their hook (grouped by file), and those no hook takes grouped by file. ANSI
/// colours only when asked (the CLI asks when stdout is a terminal and NO_COLOR is unset).
/// </summary>
public static class TextReportWriter
{
    private const string Reset = "\u001b[0m";
    private const string Bold = "\u001b[1m";
    private const string Dim = "\u001b[2m";
    private const string Red = "\u001b[31m";
    private const string Yellow = "\u001b[33m";
    private const string Cyan = "\u001b[36m";

    public static void Write(ScanResult result, TextWriter output, bool colour = false)
    {
        string Paint(string code, string text) => colour ? code + text + Reset : text;

        var counts = result.Health.Counts;
        output.WriteLine($"parascope {result.ToolVersion}: {result.Root} ({string.Join(", ", result.Arches)}; target {result.Target.Name()}; profile {result.Profile})");
        if (result.Libclang is { } libclang)
        {
            output.WriteLine($"libclang: {libclang.Describe()}");
        }
        output.WriteLine($"units: {counts.Total} total, {counts.Parsed - counts.WithErrors} clean, {counts.WithErrors} with errors, {counts.Failed} failed"
            + (counts.InBuild is { } inBuild && inBuild.Total != counts.Total
                ? $" ({counts.Total - inBuild.Total} in no build configuration; of the {inBuild.Total} built, {inBuild.Parsed - inBuild.WithErrors} clean)"
                : string.Empty));
        if (result.Health.Variants is { } variants)
        {
            output.WriteLine($"variants (other configurations and boards): {variants.Total} parsed again, {variants.Parsed - variants.WithErrors} clean, " +
                             $"{variants.WithErrors} with errors, {variants.Failed} failed");
        }
        var summary = Summary.Of(result.Findings);
        output.WriteLine($"findings: {summary.Total} ({summary.Active} active, {summary.Inactive} inactive)" +
                         (result.Suppressed.IsEmpty ? string.Empty : $", {result.Suppressed.Length} suppressed") +
                         (result.HasBaseline
                             ? $"; baseline: {result.Findings.Count(f => f.Baseline == "new")} new, {result.Findings.Count(f => f.Baseline == "unchanged")} unchanged, {result.FixedSinceBaseline} fixed"
                             : string.Empty));
        foreach (var (category, count) in summary.ByCategory)
        {
            output.WriteLine($"  {category,-12} {count,6}");
        }
        var outline = ReportWriter.OutlineOf(result);
        WriteReadiness(outline, output, Paint);
        WriteHooks(result, outline, output, Paint);
        WritePhases(outline, output, Paint);
        WriteTable(result, output, Paint);
        foreach (var hook in outline.Hooks.Where(h => !h.Findings.IsEmpty))
        {
            output.WriteLine();
            output.WriteLine(Paint(Bold, $"hook {hook.Id}") + $" ({hook.Hook?.Operation ?? hook.Id}; phase {hook.Phase}): " +
                             $"{hook.Changes} changes, {hook.Scattered} scattered, {hook.Uses} uses");
            foreach (var group in hook.Findings.GroupBy(f => f.File))
            {
                output.WriteLine("  " + group.Key);
                WriteFindings(group, "    ", output, Paint);
            }
        }
        if (!outline.Unhooked.IsEmpty && !outline.Hooks.IsEmpty)
        {
            output.WriteLine();
            output.WriteLine(Paint(Bold, "findings no hook takes (driver API, inactive code, rules with no operation)"));
        }
        foreach (var group in outline.Unhooked.GroupBy(f => f.File))
        {
            output.WriteLine();
            output.WriteLine(Paint(Bold, group.Key));
            WriteFindings(group, "  ", output, Paint);
        }
        ReportWarnings.Text(result, output);
    }

    /// <summary>HVM readiness, first: what an unmodified kernel meets when it boots as a Xen HVM guest, in boot order.</summary>
    private static void WriteReadiness(ReportOutline outline, TextWriter output, Func<string, string, string> paint)
    {
        if (outline.Readiness.IsEmpty)
        {
            return;
        }
        output.WriteLine();
        output.WriteLine(paint(Bold, $"HVM readiness ({outline.Plan.Readiness.Length} items, in boot order)"));
        foreach (var (verdict, items) in outline.Readiness)
        {
            output.WriteLine(paint(verdict == "blocking" ? Red : verdict == "works-emulated" ? Dim : Yellow, $"  {verdict}: {ReportOutline.Heading(verdict)} ({items.Length})"));
            foreach (var item in items)
            {
                var described = ReportOutline.Describe(item);
                output.WriteLine($"    {item.Item} — {item.File}:{item.Line}{(item.Function is null ? string.Empty : " " + item.Function)} [{item.Phase}]"
                    + (described.Length == 0 ? string.Empty : ": " + described));
            }
        }
    }

    private static void WriteFindings(IEnumerable<Finding> findings, string indent, TextWriter output, Func<string, string, string> paint)
    {
        foreach (var finding in findings)
        {
            var where = finding.Function is null ? string.Empty : $" in {finding.Function}";
            var inactive = finding.Active ? string.Empty : " [inactive]";
            var isNew = finding.Baseline == "new" ? " [new]" : string.Empty;
            var role = finding.Role == Finding.Use ? " [use]" : finding.Scattered == true ? " [scattered]" : finding.Wrapper == true ? " [wrapper]" : string.Empty;
            var severity = finding.Severity switch
            {
                Severity.Error => paint(Red, "error"),
                Severity.Warning => paint(Yellow, "warning"),
                _ => paint(Cyan, "note"),
            };
            output.WriteLine($"{indent}{finding.Line}:{finding.Column} {severity} {finding.RuleId}{where}{role}{inactive}{isNew}: {finding.Detail}");
            output.WriteLine(paint(Dim, $"{indent}    → {finding.Action}"));
        }
    }

    /// <summary>The port's hooks: what each operation takes (changes, scattered, uses, wrappers), its points and the action for the target.</summary>
    private static void WriteHooks(ScanResult result, ReportOutline outline, TextWriter output, Func<string, string, string> paint)
    {
        if (outline.Hooks.IsEmpty)
        {
            return;
        }
        var width = Math.Max(4, outline.Hooks.Max(h => h.Id.Length));
        var phaseWidth = Math.Max(5, outline.Hooks.Max(h => h.Phase.Length));
        output.WriteLine();
        output.WriteLine(paint(Bold, $"hooks ({outline.Hooks.Length}; target {result.Target.Name()}; docs/interface.md)"));
        output.WriteLine(paint(Bold, $"{"hook".PadRight(width)} {"phase".PadRight(phaseWidth)} {"changes",7} {"scattered",9} {"uses",5} {"wrappers",8} {"effort",7}  action"));
        foreach (var hook in outline.Hooks)
        {
            var action = hook.Hook?.Actions.GetValueOrDefault(result.Target) ?? string.Empty;
            output.WriteLine($"{hook.Id.PadRight(width)} {hook.Phase.PadRight(phaseWidth)} {hook.Changes,7} {hook.Scattered,9} {hook.Uses,5} {hook.Hook?.Wrappers.Length ?? 0,8} {Number(hook.Effort),7}  {action}");
        }
    }

    /// <summary>The phases in boot order with the work items each holds (effort model, docs/reports.md).</summary>
    private static void WritePhases(ReportOutline outline, TextWriter output, Func<string, string, string> paint)
    {
        var plan = outline.Plan;
        if (plan.Phases.IsEmpty)
        {
            return;
        }
        var width = Math.Max(5, plan.Phases.Max(p => p.Name.Length));
        output.WriteLine();
        output.WriteLine(paint(Bold, $"phases (work items: {plan.WorkItems.Length}, effort {Number(plan.Totals.Effort)} points, model {EffortModel.Version})"));
        output.WriteLine(paint(Bold, $"{"phase".PadRight(width)} {"items",5} {"changes",7} {"effort",7} {"sites",5}  kinds"));
        foreach (var phase in plan.Phases)
        {
            output.WriteLine($"{phase.Name.PadRight(width)} {phase.WorkItems,5} {phase.ChangeSites,7} {Number(phase.Effort),7} {phase.Sites,5}  " +
                             string.Join(", ", phase.ByKind.Select(k => $"{k.Key} {k.Value}")));
        }
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Sites per subsystem (rows) and category (columns), with totals.</summary>
    private static void WriteTable(ScanResult result, TextWriter output, Func<string, string, string> paint)
    {
        if (result.Findings.IsEmpty)
        {
            return;
        }
        var categories = result.Findings.Select(f => f.Category).Distinct().Order().ToList();
        var subsystems = result.Findings.GroupBy(f => Subsystems.Of(f.File), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var width = Math.Max(9, subsystems.Max(g => g.Key.Length));
        output.WriteLine();
        var header = $"{"subsystem".PadRight(width)} " + string.Join(" ", categories.Select(c => c.Name().PadLeft(11))) + $" {"total",7}";
        output.WriteLine(paint(Bold, header));
        foreach (var subsystem in subsystems)
        {
            output.WriteLine($"{subsystem.Key.PadRight(width)} " +
                             string.Join(" ", categories.Select(c => subsystem.Count(f => f.Category == c).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(11))) +
                             $" {subsystem.Count(),7}");
        }
        output.WriteLine($"{"total".PadRight(width)} " +
                         string.Join(" ", categories.Select(c => result.Findings.Count(f => f.Category == c).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(11))) +
                         $" {result.Findings.Length,7}");
    }
}
