using System.Text.Json;
using Parascope.Model;
using Parascope.Planning;

namespace Parascope.Reports.Json;

/// <summary>The JSON report's `plan` section: <see cref="PortPlan"/> under <see cref="EffortModel"/> (docs/reports.md).</summary>
public static class PlanJsonWriter
{
    public static void Write(Utf8JsonWriter json, ScanResult result)
    {
        var plan = PortPlan.Of(result);
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
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
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
        json.WriteEndObject();
    }
}
