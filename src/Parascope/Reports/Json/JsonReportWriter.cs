using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parascope.Model;
using Parascope.Results;

namespace Parascope.Reports.Json;

/// <summary>
/// The JSON report, schemaVersion 1 (docs/report.schema.json). Written field by field so the order and the
/// bytes never depend on a serializer's version: the same scan gives byte-identical output.
/// Fields are only ever added, never renamed or dropped.
/// </summary>
public static class JsonReportWriter
{
    public const int SchemaVersion = 1;

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(ScanResult result, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, Options);
        json.WriteStartObject();
        json.WriteStartObject("tool");
        json.WriteString("name", "parascope");
        json.WriteString("version", result.ToolVersion);
        json.WriteEndObject();
        json.WriteNumber("schemaVersion", SchemaVersion);
        WriteScan(json, result);
        json.WriteStartArray("findings");
        foreach (var finding in result.Findings)
        {
            WriteFinding(json, finding, shard: result.Shard is not null);
        }
        json.WriteEndArray();
        WriteSummary(json, result);
        WriteDrivers(json, result);
        if (result.Interface is { } portInterface)
        {
            WriteInterface(json, portInterface);
        }
        if (result.ShardGraph is { } shardGraph)
        {
            WriteShardGraph(json, shardGraph);
        }
        if (!result.FieldDivisions.IsEmpty)
        {
            WriteFieldDivisions(json, result.FieldDivisions);
        }
        if (!result.WrapperCalls.IsEmpty)
        {
            WriteWrapperCalls(json, result.WrapperCalls);
        }
        if (!result.Health.Units.IsEmpty)
        {
            json.WriteStartArray("units");
            foreach (var unit in result.Health.Units)
            {
                json.WriteStartObject();
                json.WriteString("file", unit.File);
                json.WriteString("arch", unit.Arch);
                json.WriteString("status", StatusName(unit.Status));
                json.WriteNumber("errorCount", unit.ErrorCount);
                json.WriteString("firstError", unit.FirstError);
                json.WriteBoolean("fatal", unit.Fatal);
                if (unit.Configuration is not null)
                {
                    json.WriteString("configuration", unit.Configuration);
                }
                if (unit.InBuild is { } inBuild)
                {
                    json.WriteBoolean("inBuild", inBuild);
                }
                if (!unit.OwnOptions.IsEmpty)
                {
                    json.WriteStartArray("ownOptions");
                    foreach (var option in unit.OwnOptions)
                    {
                        json.WriteStringValue(option);
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (!result.Suppressed.IsEmpty)
        {
            // Kept for audits and for merging shard reports; summary.suppressed counts them.
            json.WriteStartArray("suppressed");
            foreach (var finding in result.Suppressed)
            {
                WriteFinding(json, finding, shard: result.Shard is not null);
            }
            json.WriteEndArray();
        }
        PlanJsonWriter.Write(json, result);
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The port's interface: the hooks it needs, the functions that already are them, the layers and the narrowest cut.</summary>
    private static void WriteInterface(Utf8JsonWriter json, PortInterface portInterface)
    {
        json.WriteStartObject("interface");
        json.WriteNumber("hookCount", portInterface.HookCount);
        json.WriteStartArray("hooks");
        foreach (var hook in portInterface.Hooks)
        {
            json.WriteStartObject();
            json.WriteString("id", hook.Id);
            json.WriteString("operation", hook.Operation);
            json.WriteString("phase", hook.Phase);
            WriteStrings(json, "rules", hook.Rules);
            json.WriteNumber("sites", hook.Sites);
            json.WriteNumber("scatteredSites", hook.ScatteredSites);
            json.WriteNumber("uses", hook.Uses);
            json.WriteStartArray("wrappers");
            foreach (var wrapper in hook.Wrappers)
            {
                json.WriteStartObject();
                json.WriteString("function", wrapper.Function);
                json.WriteString("file", wrapper.File);
                json.WriteNumber("line", wrapper.Line);
                json.WriteNumber("sites", wrapper.Sites);
                WriteStrings(json, "callers", wrapper.Callers);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("sitesByPhase");
            foreach (var phase in hook.SitesByPhase)
            {
                json.WriteStartObject();
                json.WriteString("phase", phase.Phase);
                json.WriteNumber("sites", phase.Sites);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (hook.FirstInBoot is { } first)
            {
                json.WriteStartObject("firstInBoot");
                json.WriteString("function", first.Function);
                json.WriteString("file", first.File);
                json.WriteNumber("line", first.Line);
                json.WriteNumber("calls", first.Calls);
                json.WriteEndObject();
            }
            json.WriteStartObject("action");
            foreach (var (target, action) in hook.Actions)
            {
                json.WriteString(target.Name(), action);
            }
            json.WriteEndObject();
            WriteStrings(json, "xen", hook.Xen);
            WriteStrings(json, "linux", hook.Linux);
            WriteStrings(json, "netbsd", hook.NetBsd);
            WriteStrings(json, "minios", hook.MiniOs);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("implementations");
        foreach (var implementation in portInterface.Implementations)
        {
            json.WriteStartObject();
            json.WriteString("function", implementation.Function);
            json.WriteString("file", implementation.File);
            json.WriteNumber("line", implementation.Line);
            if (implementation.Hook is not null)
            {
                json.WriteString("hook", implementation.Hook);
            }
            json.WriteNumber("uses", implementation.Uses);
            WriteStrings(json, "rules", implementation.Rules);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("existingLayers");
        foreach (var layer in portInterface.ExistingLayers)
        {
            json.WriteStartObject();
            json.WriteString("id", layer.Id);
            json.WriteString("title", layer.Title);
            WriteStrings(json, "hooks", layer.Hooks);
            WriteStrings(json, "functionsPresent", layer.FunctionsPresent);
            json.WriteNumber("sitesThrough", layer.SitesThrough);
            json.WriteNumber("sitesBypassing", layer.SitesBypassing);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("minCut");
        json.WriteNumber("size", portInterface.MinCut.Size);
        WriteStrings(json, "functions", portInterface.MinCut.Functions);
        json.WriteNumber("functionsWithSites", portInterface.MinCut.FunctionsWithSites);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// What `merge` needs of a shard's finding beyond the report: the units of its views before its reach, and the
    /// header-body walks that gave views ([file, function, arch, units]), so the whole scan's walker alone is kept.
    /// </summary>
    private static void WriteShardViews(Utf8JsonWriter json, Finding finding)
    {
        json.WriteNumber("viewUnits", finding.ViewUnits ?? finding.Units);
        if (finding.Walks.IsEmpty)
        {
            return;
        }
        json.WriteStartArray("walks");
        foreach (var walk in finding.Walks)
        {
            json.WriteStartArray();
            json.WriteStringValue(walk.File);
            json.WriteStringValue(walk.Function);
            json.WriteStringValue(walk.Arch);
            json.WriteNumberValue(walk.Units);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteStartObject("unwalked");
        WriteStrings(json, "configurations", finding.UnwalkedConfigurations ?? []);
        WriteStrings(json, "platforms", finding.UnwalkedPlatforms ?? []);
        json.WriteEndObject();
    }

    /// <summary>A shard's divisions by fields that platform reads fill, for merge's whole-tree join.</summary>
    private static void WriteFieldDivisions(Utf8JsonWriter json, IEnumerable<FieldDivision> divisions)
    {
        json.WriteStartArray("fieldDivisions");
        foreach (var division in divisions)
        {
            json.WriteStartObject();
            json.WriteString("field", division.Field);
            json.WriteString("arch", division.Arch);
            json.WriteString("file", division.File);
            json.WriteNumber("line", division.Line);
            json.WriteString("function", division.Function);
            json.WriteString("text", division.Text);
            json.WriteString("divisor", division.Divisor);
            json.WriteString("path", division.Path);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>A shard's calls of PTE-store wrappers other shards may define, for merge's callers.</summary>
    private static void WriteWrapperCalls(Utf8JsonWriter json, IEnumerable<WrapperCall> calls)
    {
        json.WriteStartArray("wrapperCalls");
        foreach (var call in calls)
        {
            json.WriteStartObject();
            json.WriteString("callee", call.Callee);
            json.WriteString("file", call.File);
            json.WriteNumber("line", call.Line);
            json.WriteString("function", call.Function);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>A shard's call graph, for merge: functions with their definition and discovery rank, and the calls.</summary>
    private static void WriteShardGraph(Utf8JsonWriter json, CallGraphData graph)
    {
        json.WriteStartObject("callGraph");
        json.WriteStartArray("functions");
        foreach (var function in graph.Functions)
        {
            json.WriteStartObject();
            json.WriteString("name", function.Name);
            json.WriteNumber("rank", function.Rank);
            json.WriteString("file", function.File);
            json.WriteNumber("startLine", function.StartLine);
            json.WriteNumber("endLine", function.EndLine);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteCalls(json, graph.Calls);
        WritePairs(json, "slotStores", graph.SlotStores);
        WritePairs(json, "slotCalls", graph.SlotCalls);
        json.WriteStartArray("headerBodies");
        foreach (var body in graph.Bodies)
        {
            json.WriteStartObject();
            json.WriteString("file", body.File);
            json.WriteString("function", body.Function);
            json.WriteString("arch", body.Arch);
            json.WriteNumber("rank", body.Rank);
            WriteCalls(json, body.Calls);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("reach");
        foreach (var reached in graph.Reach)
        {
            json.WriteStartArray();
            json.WriteStringValue(reached.File);
            json.WriteStringValue(reached.Function);
            json.WriteNumberValue(reached.Units);
            if (!reached.Walkers.IsEmpty)
            {
                json.WriteStartObject();
                foreach (var (arch, rank) in reached.Walkers)
                {
                    json.WriteNumber(arch, rank);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteCalls(Utf8JsonWriter json, IEnumerable<GraphCall> calls)
    {
        json.WriteStartArray("calls");
        foreach (var call in calls)
        {
            json.WriteStartArray();
            json.WriteStringValue(call.Caller);
            json.WriteStringValue(call.Callee);
            json.WriteStringValue(call.Kind.Name());
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    private static void WritePairs(Utf8JsonWriter json, string name, IEnumerable<(string, string)> pairs)
    {
        json.WriteStartArray(name);
        foreach (var (first, second) in pairs)
        {
            json.WriteStartArray();
            json.WriteStringValue(first);
            json.WriteStringValue(second);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    /// <summary>A platform site's values, consequence, readiness item and verdict, as the JSON and SARIF findings carry them.</summary>
    internal static void WritePlatformFields(Utf8JsonWriter json, Finding finding)
    {
        if (!finding.Values.IsEmpty)
        {
            WriteStrings(json, "values", finding.Values);
        }
        if (finding.Otherwise is not null)
        {
            json.WriteString("otherwise", finding.Otherwise);
        }
        if (finding.Item is not null)
        {
            json.WriteString("item", finding.Item);
        }
        if (finding.Verdict is not null)
        {
            json.WriteString("verdict", finding.Verdict);
        }
    }

    private static void WriteStringsIfAny(Utf8JsonWriter json, string name, ImmutableArray<string> values)
    {
        if (!values.IsEmpty)
        {
            WriteStrings(json, name, values);
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

    /// <summary>The driver inventory: every IOService subclass of the tree (written even when empty).</summary>
    private static void WriteDrivers(Utf8JsonWriter json, ScanResult result)
    {
        json.WriteStartArray("drivers");
        foreach (var driver in result.Drivers)
        {
            json.WriteStartObject();
            json.WriteString("name", driver.Name);
            json.WriteString("superclass", driver.Superclass);
            json.WriteStartArray("ancestors");
            foreach (var ancestor in driver.Ancestors)
            {
                json.WriteStringValue(ancestor);
            }
            json.WriteEndArray();
            json.WriteString("file", driver.File);
            json.WriteNumber("line", driver.Line);
            json.WriteBoolean("metaClass", driver.MetaClass);
            json.WriteString("family", driver.Family);
            json.WriteString("xenFrontEnd", driver.XenFrontEnd);
            json.WriteStartArray("hardwareCalls");
            foreach (var call in driver.HardwareCalls)
            {
                json.WriteStartObject();
                json.WriteString("rule", call.RuleId);
                if (call.Subcategory is not null)
                {
                    json.WriteString("subcategory", call.Subcategory);
                }
                json.WriteNumber("count", call.Count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("resolution", driver.Resolution);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static string StatusName(UnitStatus status) => status switch
    {
        UnitStatus.Clean => "clean",
        UnitStatus.WithErrors => "with-errors",
        _ => "failed",
    };

    private static void WriteScan(Utf8JsonWriter json, ScanResult result)
    {
        json.WriteStartObject("scan");
        json.WriteString("root", result.Root);
        json.WriteStartArray("arches");
        foreach (var arch in result.Arches)
        {
            json.WriteStringValue(arch);
        }
        json.WriteEndArray();
        json.WriteStartArray("configurations");
        foreach (var configuration in result.Configurations)
        {
            json.WriteStringValue(configuration);
        }
        json.WriteEndArray();
        // Only when other boards were parsed: a report of a tree or arch without boards is the same as before them.
        WriteStringsIfAny(json, "platforms", result.Platforms);
        json.WriteString("target", result.Target.Name());
        json.WriteString("profile", result.Profile);
        if (!result.MachineConfigs.IsEmpty)
        {
            json.WriteStartArray("machineConfigs");
            foreach (var machine in result.MachineConfigs)
            {
                json.WriteStartObject();
                json.WriteString("arch", machine.Arch);
                json.WriteString("name", machine.Name);
                json.WriteString("source", machine.Source);
                json.WriteStartArray("defines");
                foreach (var define in machine.Defines)
                {
                    json.WriteStringValue(define);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        WriteCounts(json, "units", result.Health.Counts);
        if (result.Health.Variants is { } variants)
        {
            WriteCounts(json, "variants", variants);
        }
        json.WriteNumber("durationMs", result.DurationMs);
        if (result.Shard is not null)
        {
            json.WriteString("shard", result.Shard);
        }
        if (result.RulesDigest.Length > 0)
        {
            json.WriteString("rulesDigest", result.RulesDigest);
        }
        if (result.Libclang is { } libclang)
        {
            json.WriteStartObject("libclang");
            json.WriteString("version", libclang.Version);
            json.WriteString("origin", libclang.Origin);
            json.WriteEndObject();
        }
        json.WriteStartObject("health");
        WriteCounted(json, "missingHeaders", result.Health.MissingHeaders);
        WriteCounted(json, "frequentErrors", result.Health.FrequentErrors);
        json.WriteEndObject();
        json.WriteStartArray("warnings");
        foreach (var warning in result.Warnings)
        {
            json.WriteStringValue(warning);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteCounted(Utf8JsonWriter json, string name, IEnumerable<CountedText> items)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            json.WriteString("text", item.Text);
            json.WriteNumber("count", item.Count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static void WriteFinding(Utf8JsonWriter json, Finding finding, bool shard = false)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", finding.RuleId);
        json.WriteString("category", finding.Category.Name());
        json.WriteString("severity", finding.Severity.Name());
        json.WriteString("file", finding.File);
        json.WriteNumber("line", finding.Line);
        json.WriteNumber("column", finding.Column);
        json.WriteString("function", finding.Function);
        if (finding.FunctionNode is not null)
        {
            json.WriteString("functionNode", finding.FunctionNode);
        }
        json.WriteString("arch", finding.Arch);
        json.WriteString("context", finding.Context.Name());
        json.WriteBoolean("active", finding.Active);
        json.WriteString("detail", finding.Detail);
        json.WriteString("action", finding.Action);
        json.WriteString("fingerprint", finding.Fingerprint);
        json.WriteStartArray("arches");
        foreach (var arch in finding.Arches)
        {
            json.WriteStringValue(arch);
        }
        json.WriteEndArray();
        json.WriteStartArray("configurations");
        foreach (var configuration in finding.Configurations)
        {
            json.WriteStringValue(configuration);
        }
        json.WriteEndArray();
        WriteStringsIfAny(json, "platforms", finding.Platforms);
        json.WriteNumber("units", finding.Units);
        if (shard)
        {
            WriteShardViews(json, finding);
        }
        json.WriteStartArray("expansions");
        foreach (var expansion in finding.Expansions)
        {
            json.WriteStartObject();
            json.WriteString("file", expansion.File);
            json.WriteNumber("line", expansion.Line);
            json.WriteString("function", expansion.Function);
            if (expansion.Register is not null)
            {
                json.WriteString("register", expansion.Register);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (finding.Condition is not null)
        {
            json.WriteString("condition", finding.Condition);
        }
        if (finding.Subcategory is not null)
        {
            json.WriteString("subcategory", finding.Subcategory);
        }
        if (finding.Baseline is not null)
        {
            json.WriteString("baseline", finding.Baseline);
        }
        if (finding.Phase is not null)
        {
            json.WriteString("phase", finding.Phase);
        }
        if (finding.Callers is { } callers)
        {
            json.WriteNumber("callers", callers);
        }
        if (finding.IndirectCallers is { } indirect)
        {
            json.WriteNumber("indirectCallers", indirect);
        }
        if (finding.TransitiveCallers is { } transitive)
        {
            json.WriteNumber("transitiveCallers", transitive);
        }
        if (!finding.CallerFunctions.IsEmpty)
        {
            WriteStrings(json, "callerFunctions", finding.CallerFunctions);
        }
        if (finding.Hook is not null)
        {
            json.WriteString("hook", finding.Hook);
        }
        if (finding.Role is not null)
        {
            json.WriteString("role", finding.Role);
        }
        if (finding.Implementation is not null)
        {
            json.WriteString("implementation", finding.Implementation);
        }
        if (finding.Driver is not null)
        {
            json.WriteString("driver", finding.Driver);
        }
        if (finding.Wrapper is { } wrapper)
        {
            json.WriteBoolean("wrapper", wrapper);
            json.WriteBoolean("scattered", !wrapper);
        }
        if (finding.Suppression is not null)
        {
            json.WriteString("suppression", finding.Suppression);
        }
        WritePlatformFields(json, finding);
        if (!finding.Properties.IsEmpty)
        {
            json.WriteStartObject("properties");
            foreach (var (key, value) in finding.Properties)
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter json, ScanResult result)
    {
        var summary = Summary.Of(result.Findings);
        json.WriteStartObject("summary");
        json.WriteNumber("total", summary.Total);
        json.WriteNumber("active", summary.Active);
        json.WriteNumber("inactive", summary.Inactive);
        WriteCounts(json, "byCategory", summary.ByCategory);
        WriteCounts(json, "bySeverity", summary.BySeverity);
        WriteCounts(json, "bySubsystem", summary.BySubsystem);
        WriteCounts(json, "byRule", summary.ByRule);
        json.WriteNumber("suppressed", result.Suppressed.Length);
        if (result.HasBaseline)
        {
            json.WriteNumber("new", result.Findings.Count(f => f.Baseline == "new"));
            json.WriteNumber("unchanged", result.Findings.Count(f => f.Baseline == "unchanged"));
            json.WriteNumber("fixed", result.FixedSinceBaseline);
        }
        json.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, int>> counts)
    {
        json.WriteStartObject(name);
        foreach (var (key, count) in counts)
        {
            json.WriteNumber(key, count);
        }
        json.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter json, string name, UnitCounts counts)
    {
        json.WriteStartObject(name);
        json.WriteNumber("total", counts.Total);
        json.WriteNumber("parsed", counts.Parsed);
        json.WriteNumber("withErrors", counts.WithErrors);
        json.WriteNumber("failed", counts.Failed);
        json.WriteNumber("clean", counts.Parsed - counts.WithErrors);
        json.WriteNumber("withFatal", counts.WithFatal);
        if (counts.InBuild is { } inBuild)
        {
            WriteCounts(json, "inBuild", inBuild);
        }
        json.WriteEndObject();
    }
}
