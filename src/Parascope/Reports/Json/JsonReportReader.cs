using System.Collections.Immutable;
using System.Text.Json;
using Parascope.Files;
using Parascope.Model;
using Parascope.Results;

namespace Parascope.Reports.Json;

/// <summary>
/// Reads a JSON report (schemaVersion 1) back into a <see cref="ScanResult"/>, for merge and diff. What JSON does
/// not carry (the call graph, the rules) stays empty; the caller supplies rules and phases where it needs them.
/// </summary>
public static class JsonReportReader
{
    public static Checked<ScanResult> Read(string path)
    {
        if (RegularFiles.Check(path, "report") is { } notAFile)
        {
            return notAFile;
        }
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schemaVersion", out var version) || version.GetInt32() != JsonReportWriter.SchemaVersion)
            {
                return new InputError($"{path}: not a parascope JSON report of schemaVersion {JsonReportWriter.SchemaVersion}");
            }
            return Checked<ScanResult>.Of(Parse(root));
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return new InputError($"{path}: not a readable parascope JSON report ({exception.Message.Split('\n')[0]})");
        }
    }

    private static ScanResult Parse(JsonElement root)
    {
        var scan = root.GetProperty("scan");
        var units = scan.GetProperty("units");
        ModelNames.TryParseTarget(scan.GetProperty("target").GetString()!, out var target);
        var health = scan.GetProperty("health");
        var summary = root.GetProperty("summary");
        var findings = root.GetProperty("findings").EnumerateArray().Select(ReadFinding).ToImmutableArray();
        return new ScanResult
        {
            ToolVersion = root.GetProperty("tool").GetProperty("version").GetString()!,
            Root = scan.GetProperty("root").GetString()!,
            Arches = Strings(scan.GetProperty("arches")),
            Configurations = scan.TryGetProperty("configurations", out var scanConfigurations) ? Strings(scanConfigurations) : [],
            Platforms = scan.TryGetProperty("platforms", out var scanPlatforms) ? Strings(scanPlatforms) : [],
            Target = target,
            Profile = scan.GetProperty("profile").GetString()!,
            MachineConfigs = scan.TryGetProperty("machineConfigs", out var machines)
                ? [.. machines.EnumerateArray().Select(m => new MachineConfigChoice(m.GetProperty("arch").GetString()!, m.GetProperty("name").GetString()!,
                    m.GetProperty("source").GetString()!, Strings(m.GetProperty("defines"))))]
                : [],
            Health = new ParseHealth
            {
                Counts = ReadCounts(units),
                Variants = scan.TryGetProperty("variants", out var variants) ? ReadCounts(variants) : null,
                MissingHeaders = Counted(health.GetProperty("missingHeaders")),
                FrequentErrors = Counted(health.GetProperty("frequentErrors")),
                Units = root.TryGetProperty("units", out var list) ? list.EnumerateArray().Select(ReadUnit).ToImmutableArray() : [],
            },
            DurationMs = scan.GetProperty("durationMs").GetInt64(),
            Shard = scan.TryGetProperty("shard", out var shard) ? shard.GetString() : null,
            RulesDigest = scan.TryGetProperty("rulesDigest", out var digest) ? digest.GetString()! : string.Empty,
            Warnings = Strings(scan.GetProperty("warnings")),
            Findings = findings,
            Suppressed = root.TryGetProperty("suppressed", out var suppressed) ? suppressed.EnumerateArray().Select(ReadFinding).ToImmutableArray() : [],
            HasBaseline = summary.TryGetProperty("fixed", out _),
            FixedSinceBaseline = summary.TryGetProperty("fixed", out var fixedCount) ? fixedCount.GetInt32() : 0,
            Drivers = root.TryGetProperty("drivers", out var drivers) ? drivers.EnumerateArray().Select(ReadDriver).ToImmutableArray() : [],
            Libclang = scan.TryGetProperty("libclang", out var libclang)
                ? new LibclangInfo(libclang.GetProperty("version").GetString()!, libclang.GetProperty("origin").GetString()!)
                : null,
            ShardGraph = root.TryGetProperty("callGraph", out var graph) ? ReadGraph(graph) : null,
            FieldDivisions = root.TryGetProperty("fieldDivisions", out var divisions)
                ? [.. divisions.EnumerateArray().Select(d => new FieldDivision(d.GetProperty("field").GetString()!, d.GetProperty("arch").GetString()!,
                    d.GetProperty("file").GetString()!, d.GetProperty("line").GetInt32(), d.GetProperty("function").GetString(),
                    d.GetProperty("text").GetString()!, d.GetProperty("divisor").GetString()!, d.GetProperty("path").GetString()))]
                : [],
            WrapperCalls = root.TryGetProperty("wrapperCalls", out var wrapperCalls)
                ? [.. wrapperCalls.EnumerateArray().Select(c => new WrapperCall(c.GetProperty("callee").GetString()!, c.GetProperty("file").GetString()!,
                    c.GetProperty("line").GetInt32(), c.GetProperty("function").GetString()))]
                : [],
            Interface = root.TryGetProperty("interface", out var portInterface) ? ReadInterface(portInterface) : null,
        };
    }

    /// <summary>The interface section as written (compare reads it across releases; merge recomputes it from the graph).</summary>
    private static PortInterface ReadInterface(JsonElement section) => new()
    {
        Hooks = [.. section.GetProperty("hooks").EnumerateArray().Select(h => new InterfaceHook
        {
            Id = h.GetProperty("id").GetString()!,
            Operation = h.GetProperty("operation").GetString()!,
            Phase = h.GetProperty("phase").GetString()!,
            Rules = Strings(h.GetProperty("rules")),
            Sites = h.GetProperty("sites").GetInt32(),
            ScatteredSites = h.GetProperty("scatteredSites").GetInt32(),
            Uses = h.GetProperty("uses").GetInt32(),
            Wrappers = [.. h.GetProperty("wrappers").EnumerateArray().Select(w => new HookWrapper(w.GetProperty("function").GetString()!,
                w.GetProperty("file").GetString()!, w.GetProperty("line").GetInt32(), w.GetProperty("sites").GetInt32(), Strings(w.GetProperty("callers"))))],
        })],
        MinCut = section.GetProperty("minCut") is var cut
            ? new InterfaceCut(cut.GetProperty("size").GetInt32(), Strings(cut.GetProperty("functions")), cut.GetProperty("functionsWithSites").GetInt32())
            : new InterfaceCut(0, [], 0),
    };

    private static CallGraphData ReadGraph(JsonElement graph) => new(
        [.. graph.GetProperty("functions").EnumerateArray().Select(f => new GraphFunctionData(f.GetProperty("name").GetString()!,
            f.GetProperty("rank").GetInt32(), f.GetProperty("file").GetString()!, f.GetProperty("startLine").GetInt32(), f.GetProperty("endLine").GetInt32()))],
        ReadCalls(graph.GetProperty("calls")))
    {
        SlotStores = Pairs(graph, "slotStores"),
        SlotCalls = Pairs(graph, "slotCalls"),
        // Shards of versions before it carry every call in `calls`.
        Bodies = graph.TryGetProperty("headerBodies", out var bodies)
            ? [.. bodies.EnumerateArray().Select(b => new GraphBodyData(b.GetProperty("file").GetString()!, b.GetProperty("function").GetString()!,
                b.GetProperty("arch").GetString()!, b.GetProperty("rank").GetInt32(), ReadCalls(b.GetProperty("calls"))))]
            : [],
        // Shards of versions before it carry no reach: their sites count the units of the shards that report them.
        Reach = graph.TryGetProperty("reach", out var reach)
            ? [.. reach.EnumerateArray().Select(r => new GraphReachData(r[0].GetString()!, r[1].GetString()!, r[2].GetInt32())
            {
                Walkers = r.GetArrayLength() > 3 ? [.. r[3].EnumerateObject().Select(w => (w.Name, w.Value.GetInt32()))] : [],
            })]
            : [],
    };

    private static ImmutableArray<GraphCall> ReadCalls(JsonElement calls) =>
        [.. calls.EnumerateArray().Select(c => new GraphCall(c[0].GetString()!, c[1].GetString()!,
            c.GetArrayLength() > 2 && CallKinds.TryParse(c[2].GetString()!, out var kind) ? kind : CallKind.Direct))];

    private static ImmutableArray<(string, string)> Pairs(JsonElement graph, string name) =>
        graph.TryGetProperty(name, out var pairs) ? [.. pairs.EnumerateArray().Select(p => (p[0].GetString()!, p[1].GetString()!))] : [];

    public static Finding ReadFinding(JsonElement f)
    {
        ModelNames.TryParseCategory(f.GetProperty("category").GetString()!, out var category);
        ModelNames.TryParseSeverity(f.GetProperty("severity").GetString()!, out var severity);
        ModelNames.TryParseContext(f.GetProperty("context").GetString()!, out var context);
        return new Finding
        {
            RuleId = f.GetProperty("ruleId").GetString()!,
            Category = category,
            Severity = severity,
            File = f.GetProperty("file").GetString()!,
            Line = f.GetProperty("line").GetInt32(),
            Column = f.GetProperty("column").GetInt32(),
            Function = f.GetProperty("function").GetString(),
            Arch = f.GetProperty("arch").GetString()!,
            Context = context,
            Active = f.GetProperty("active").GetBoolean(),
            Detail = f.GetProperty("detail").GetString()!,
            Action = f.GetProperty("action").GetString()!,
            Fingerprint = f.GetProperty("fingerprint").GetString()!,
            Arches = Strings(f.GetProperty("arches")),
            Configurations = f.TryGetProperty("configurations", out var configurations) ? Strings(configurations) : [],
            Platforms = f.TryGetProperty("platforms", out var platforms) ? Strings(platforms) : [],
            Units = f.GetProperty("units").GetInt32(),
            ViewUnits = f.TryGetProperty("viewUnits", out var viewUnits) ? viewUnits.GetInt32() : null,
            Walks = f.TryGetProperty("walks", out var walks)
                ? [.. walks.EnumerateArray().Select(w => new BodyWalk(w[0].GetString()!, w[1].GetString()!, w[2].GetString()!, w[3].GetInt32()))]
                : [],
            UnwalkedConfigurations = Unwalked(f, "configurations"),
            UnwalkedPlatforms = Unwalked(f, "platforms"),
            Expansions = f.GetProperty("expansions").EnumerateArray()
                .Select(e => new SiteReference(e.GetProperty("file").GetString()!, e.GetProperty("line").GetInt32(), e.GetProperty("function").GetString())
                {
                    Register = OptionalString(e, "register"),
                })
                .ToImmutableArray(),
            Condition = OptionalString(f, "condition"),
            Subcategory = OptionalString(f, "subcategory"),
            Baseline = OptionalString(f, "baseline"),
            Phase = OptionalString(f, "phase"),
            Callers = f.TryGetProperty("callers", out var callers) ? callers.GetInt32() : null,
            IndirectCallers = f.TryGetProperty("indirectCallers", out var indirect) ? indirect.GetInt32() : null,
            FunctionNode = OptionalString(f, "functionNode"),
            TransitiveCallers = f.TryGetProperty("transitiveCallers", out var transitive) ? transitive.GetInt32() : null,
            CallerFunctions = f.TryGetProperty("callerFunctions", out var callerFunctions)
                ? [.. callerFunctions.EnumerateArray().Select(c => c.GetString()!)]
                : [],
            Hook = OptionalString(f, "hook"),
            Role = OptionalString(f, "role"),
            Implementation = OptionalString(f, "implementation"),
            Driver = OptionalString(f, "driver"),
            Wrapper = f.TryGetProperty("wrapper", out var wrapper) ? wrapper.GetBoolean() : null,
            Suppression = OptionalString(f, "suppression"),
            Values = f.TryGetProperty("values", out var values) ? [.. values.EnumerateArray().Select(v => v.GetString()!)] : [],
            Otherwise = OptionalString(f, "otherwise"),
            Item = OptionalString(f, "item"),
            Verdict = OptionalString(f, "verdict"),
            Properties = f.TryGetProperty("properties", out var properties)
                ? properties.EnumerateObject().ToImmutableSortedDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
                : ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal),
        };
    }

    private static UnitCounts ReadCounts(JsonElement units) =>
        new(units.GetProperty("total").GetInt32(), units.GetProperty("parsed").GetInt32(),
            units.GetProperty("withErrors").GetInt32(), units.GetProperty("failed").GetInt32())
        {
            WithFatal = units.GetProperty("withFatal").GetInt32(),
            InBuild = units.TryGetProperty("inBuild", out var inBuild) ? ReadCounts(inBuild) : null,
        };

    private static UnitReport ReadUnit(JsonElement u) => new(
        u.GetProperty("file").GetString()!,
        u.GetProperty("arch").GetString()!,
        u.GetProperty("status").GetString() switch
        {
            "clean" => UnitStatus.Clean,
            "with-errors" => UnitStatus.WithErrors,
            _ => UnitStatus.Failed,
        },
        u.GetProperty("firstError").GetString(),
        u.GetProperty("errorCount").GetInt32())
    {
        Fatal = u.TryGetProperty("fatal", out var fatal) && fatal.GetBoolean(),
        Configuration = u.TryGetProperty("configuration", out var configuration) ? configuration.GetString() : null,
        InBuild = u.TryGetProperty("inBuild", out var inBuild) ? inBuild.GetBoolean() : null,
        OwnOptions = u.TryGetProperty("ownOptions", out var options) ? [.. options.EnumerateArray().Select(o => o.GetString() ?? string.Empty)] : [],
    };

    private static DriverClass ReadDriver(JsonElement d) => new()
    {
        Name = d.GetProperty("name").GetString()!,
        Superclass = d.GetProperty("superclass").GetString()!,
        Ancestors = Strings(d.GetProperty("ancestors")),
        File = d.GetProperty("file").GetString()!,
        Line = d.GetProperty("line").GetInt32(),
        MetaClass = d.GetProperty("metaClass").GetBoolean(),
        Family = d.GetProperty("family").GetString()!,
        XenFrontEnd = d.GetProperty("xenFrontEnd").GetString()!,
        HardwareCalls = d.GetProperty("hardwareCalls").EnumerateArray()
            .Select(c => new DriverCallCount(c.GetProperty("rule").GetString()!, OptionalString(c, "subcategory"), c.GetProperty("count").GetInt32()))
            .ToImmutableArray(),
        Resolution = OptionalString(d, "resolution") ?? "ast",
    };

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A shard finding's `unwalked` list NAME (configurations, platforms); null in other reports.</summary>
    private static ImmutableArray<string>? Unwalked(JsonElement finding, string name) =>
        finding.TryGetProperty("unwalked", out var unwalked) ? Strings(unwalked.GetProperty(name)) : null;

    private static ImmutableArray<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToImmutableArray();

    private static ImmutableArray<CountedText> Counted(JsonElement array) =>
        array.EnumerateArray().Select(e => new CountedText(e.GetProperty("text").GetString()!, e.GetProperty("count").GetInt32())).ToImmutableArray();
}
