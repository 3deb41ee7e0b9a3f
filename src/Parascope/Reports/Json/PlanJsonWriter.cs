using System.Text.Json;
using Parascope.Model;
using Parascope.Planning;

namespace Parascope.Reports.Json;

/// <summary>The JSON report's `plan` section: <see cref="PortPlan"/> under <see cref="EffortModel"/> (docs/reports.md).</summary>
public static class PlanJsonWriter
{
    public static void Write(Utf8JsonWriter json, ScanResult result)
    {
        var plan = ReportWriter.OutlineOf(result).Plan;
        json.WriteStartObject("plan");
        json.WriteString("target", plan.Target.Name());
        json.WriteStartObject("model");
        json.WriteNumber("version", EffortModel.Version);
        json.WriteString("unit", "points");
        json.WriteStartObject("severityFactors");
        json.WriteNumber("error", EffortModel.Factor(Severity.Error));
        json.WriteNumber("warning", EffortModel.Factor(Severity.Warning));
        json.WriteNumber("note", EffortModel.Factor(Severity.Note));
        json.WriteEndObject();
        json.WriteEndObject();
        json.WritePropertyName("totals");
        WriteSlice(json, plan.Totals, named: false);
        json.WriteStartArray("bySubsystem");
        foreach (var slice in plan.BySubsystem)
        {
            WriteSlice(json, slice, named: true);
        }
        json.WriteEndArray();
        json.WriteStartArray("byCategory");
        foreach (var slice in plan.ByCategory)
        {
            WriteSlice(json, slice, named: true);
        }
        json.WriteEndArray();
        json.WriteStartArray("targets");
        foreach (var target in plan.Targets)
        {
            json.WriteStartObject();
            json.WriteString("target", target.Target.Name());
            json.WriteNumber("effort", target.Effort);
            json.WriteNumber("inactiveEffort", target.InactiveEffort);
            json.WriteNumber("errors", target.Errors);
            json.WriteNumber("warnings", target.Warnings);
            json.WriteNumber("notes", target.Notes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("phases");
        foreach (var phase in plan.Phases)
        {
            json.WriteStartObject();
            json.WriteString("name", phase.Name);
            json.WriteString("description", phase.Description);
            json.WriteNumber("sites", phase.Sites);
            json.WriteNumber("functions", phase.Functions);
            json.WriteNumber("effort", phase.Effort);
            json.WriteNumber("workItems", phase.WorkItems);
            json.WriteNumber("changeSites", phase.ChangeSites);
            json.WriteStartObject("byKind");
            foreach (var (kind, count) in phase.ByKind)
            {
                json.WriteNumber(kind, count);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("workItems");
        foreach (var item in plan.WorkItems)
        {
            WriteItem(json, item);
        }
        json.WriteEndArray();
        json.WriteStartArray("readiness");
        foreach (var item in plan.Readiness)
        {
            WriteReadiness(json, item);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One plan.readiness[] entry; the SARIF run's readiness property bag writes the same fields.</summary>
    public static void WriteReadiness(Utf8JsonWriter json, ReadinessItem item)
    {
        json.WriteStartObject();
        json.WriteString("item", item.Item);
        json.WriteString("file", item.File);
        json.WriteNumber("line", item.Line);
        WriteNullable(json, "function", item.Function);
        json.WriteString("verdict", item.Verdict);
        json.WriteString("phase", item.Phase);
        json.WriteString("ruleId", item.RuleId);
        WriteStrings(json, "values", item.Values);
        WriteNullable(json, "otherwise", item.Otherwise);
        json.WriteNumber("sites", item.Sites);
        if (item.BootDistance is { } calls)
        {
            json.WriteNumber("bootDistance", calls);
        }
        json.WriteEndObject();
    }

    private static void WriteItem(Utf8JsonWriter json, WorkItem item)
    {
        json.WriteStartObject();
        json.WriteString("id", item.Id);
        json.WriteString("kind", item.Kind);
        json.WriteString("phase", item.Phase);
        WriteNullable(json, "hook", item.Hook);
        WriteStrings(json, "hooks", item.Hooks);
        WriteNullable(json, "family", item.Family);
        WriteNullable(json, "frontEnd", item.FrontEnd);
        WriteStrings(json, "drivers", item.Drivers);
        WriteStrings(json, "wrappers", item.Wrappers);
        WriteNullable(json, "layer", item.Layer);
        WriteNullable(json, "ruleId", item.RuleId);
        WriteNullable(json, "function", item.Function);
        WriteNullable(json, "file", item.File);
        json.WriteNumber("sites", item.Sites.Length);
        json.WriteNumber("uses", item.Uses);
        json.WriteStartObject("effort");
        foreach (var target in ModelNames.AllTargets)
        {
            json.WriteNumber(target.Name(), item.EffortFor(target));
        }
        json.WriteEndObject();
        json.WriteStartArray("locations");
        foreach (var site in item.Sites)
        {
            json.WriteStartObject();
            json.WriteString("file", site.File);
            json.WriteNumber("line", site.Line);
            WriteNullable(json, "function", site.Function);
            json.WriteString("ruleId", site.RuleId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static void WriteSlice(Utf8JsonWriter json, PlanSlice slice, bool named)
    {
        json.WriteStartObject();
        if (named)
        {
            json.WriteString("name", slice.Name);
        }
        json.WriteNumber("sites", slice.Sites);
        json.WriteNumber("functions", slice.Functions);
        json.WriteNumber("wrappers", slice.Wrappers);
        json.WriteNumber("effort", slice.Effort);
        json.WriteNumber("inactiveSites", slice.InactiveSites);
        json.WriteNumber("inactiveEffort", slice.InactiveEffort);
        json.WriteNumber("workItems", slice.WorkItems);
        json.WriteEndObject();
    }
}
