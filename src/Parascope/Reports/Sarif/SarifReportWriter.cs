using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parascope.Model;
using Parascope.Planning;
using Parascope.Reports.Json;
using Parascope.Results;
using Parascope.Rules;

namespace Parascope.Reports.Sarif;

/// <summary>
/// SARIF 2.1.0 for code-scanning services: one run, the rule set as tool.driver.rules (the rule is the
/// reportingDescriptor: id, title, description, help link, default level for the chosen target), one result per finding.
/// Written field by field like the JSON report, so the same scan gives the same bytes.
/// </summary>
public static class SarifReportWriter
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    public const string RootBaseId = "SRCROOT";
    /// <summary>The partialFingerprints key; bump the version if the fingerprint recipe ever changes.</summary>
    public const string FingerprintKey = "parascope/v1";

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(ScanResult result, Stream stream)
    {
        var rules = Descriptors(result);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            index[rules[i].Id] = i;
        }

        using var json = new Utf8JsonWriter(stream, Options);
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "parascope");
        json.WriteString("informationUri", RuleDocumentation.InformationUri);
        json.WriteString("semanticVersion", result.ToolVersion);
        json.WriteString("version", result.ToolVersion);
        if (result.Libclang is { } libclang)
        {
            // Findings depend on the parser's version (docs/libclang.md); SARIF's place for a tool's own facts.
            json.WriteStartObject("properties");
            json.WriteStartObject("libclang");
            json.WriteString("version", libclang.Version);
            json.WriteString("origin", libclang.Origin);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            WriteRule(json, rule, result.Target);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartObject("originalUriBaseIds");
        json.WriteStartObject(RootBaseId);
        json.WriteString("uri", RootUri(result.Root));
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("results");
        foreach (var finding in result.Findings)
        {
            WriteResult(json, finding, index, suppressed: false);
        }
        foreach (var finding in result.Suppressed)
        {
            WriteResult(json, finding, index, suppressed: true);
        }
        json.WriteEndArray();

        WriteInvocation(json, result);
        json.WriteString("columnKind", "unicodeCodePoints");
        json.WriteStartObject("properties");
        json.WriteString("target", result.Target.Name());
        json.WriteString("profile", result.Profile);
        json.WriteStartArray("arches");
        foreach (var arch in result.Arches)
        {
            json.WriteStringValue(arch);
        }
        json.WriteEndArray();
        if (result.Target == XenTarget.XenHvm)
        {
            // The readiness summary every report opens with (issue #17): SARIF has no place for a summary, so it goes
            // in the run's property bag (§3.8), the same entries as the JSON report's plan.readiness[].
            json.WriteStartArray("readiness");
            foreach (var item in ReportWriter.OutlineOf(result).Plan.Readiness)
            {
                PlanJsonWriter.WriteReadiness(json, item);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The scan's warnings as tool execution notifications (SARIF 2.1.0 §3.20.21): the run succeeded, with these.</summary>
    private static void WriteInvocation(Utf8JsonWriter json, ScanResult result)
    {
        json.WriteStartArray("invocations");
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful", true);
        json.WriteStartArray("toolExecutionNotifications");
        foreach (var warning in result.Warnings)
        {
            json.WriteStartObject();
            json.WriteString("level", "warning");
            json.WriteStartObject("message");
            json.WriteString("text", warning);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <summary>SARIF levels are the severity names: error, warning, note.</summary>
    public static string Level(Severity severity) => severity.Name();

    /// <summary>The rules the scan ran with; for a result built without them, a bare descriptor per rule id seen.</summary>
    private static List<Rule> Descriptors(ScanResult result)
    {
        if (!result.Rules.IsEmpty)
        {
            return [.. result.Rules.OrderBy(r => r.Id, StringComparer.Ordinal)];
        }
        return result.Findings.Concat(result.Suppressed)
            .GroupBy(f => f.RuleId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Rule
            {
                Id = g.Key,
                Category = g.First().Category,
                Title = g.Key,
                Description = g.Key,
                Arch = g.First().Arch,
                Match = RuleMatch.Empty,
                Targets = ModelNames.AllTargets.ToImmutableSortedDictionary(t => t, _ => new TargetGuidance(g.Max(f => f.Severity), g.First().Action)),
                Origin = "(report)",
            })
            .ToList();
    }

    private static void WriteRule(Utf8JsonWriter json, Rule rule, XenTarget target)
    {
        json.WriteStartObject();
        json.WriteString("id", rule.Id);
        json.WriteString("name", RuleName(rule.Id));
        json.WriteStartObject("shortDescription");
        json.WriteString("text", rule.Title);
        json.WriteEndObject();
        json.WriteStartObject("fullDescription");
        json.WriteString("text", rule.Description);
        json.WriteEndObject();
        if (rule.HelpUri is not null)
        {
            json.WriteString("helpUri", rule.HelpUri);
        }
        json.WriteStartObject("help");
        json.WriteString("text", HelpText(rule));
        json.WriteString("markdown", HelpMarkdown(rule));
        json.WriteEndObject();
        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(rule.For(target).Severity));
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteString("category", rule.Category.Name());
        json.WriteString("arch", rule.Arch);
        if (rule.Class is not null)
        {
            json.WriteString("class", rule.Class);
        }
        json.WriteNumber("weight", rule.Weight);
        json.WriteStartArray("tags");
        json.WriteStringValue("xen-port");
        json.WriteStringValue(rule.Category.Name());
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, Finding finding, Dictionary<string, int> index, bool suppressed)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", finding.RuleId);
        if (index.TryGetValue(finding.RuleId, out var ruleIndex))
        {
            json.WriteNumber("ruleIndex", ruleIndex);
        }
        json.WriteString("level", Level(finding.Severity));
        json.WriteStartObject("message");
        json.WriteString("text", Message(finding));
        json.WriteEndObject();
        json.WriteStartArray("locations");
        json.WriteStartObject();
        json.WriteStartObject("physicalLocation");
        json.WriteStartObject("artifactLocation");
        json.WriteString("uri", RelativeUri(finding.File));
        json.WriteString("uriBaseId", RootBaseId);
        json.WriteEndObject();
        json.WriteStartObject("region");
        json.WriteNumber("startLine", Math.Max(1, finding.Line));
        json.WriteNumber("startColumn", Math.Max(1, finding.Column));
        json.WriteEndObject();
        json.WriteEndObject();
        if (finding.Function is not null)
        {
            json.WriteStartArray("logicalLocations");
            json.WriteStartObject();
            json.WriteString("name", finding.Function);
            json.WriteString("kind", "function");
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndArray();
        if (!finding.Expansions.IsEmpty)
        {
            json.WriteStartArray("relatedLocations");
            var id = 0;
            foreach (var site in finding.Expansions)
            {
                json.WriteStartObject();
                json.WriteNumber("id", ++id);
                json.WriteStartObject("physicalLocation");
                json.WriteStartObject("artifactLocation");
                json.WriteString("uri", RelativeUri(site.File));
                json.WriteString("uriBaseId", RootBaseId);
                json.WriteEndObject();
                json.WriteStartObject("region");
                json.WriteNumber("startLine", Math.Max(1, site.Line));
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteStartObject("message");
                json.WriteString("text", site.Function is null ? "used here" : $"used in {site.Function}");
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteStartObject("partialFingerprints");
        json.WriteString(FingerprintKey, finding.Fingerprint);
        json.WriteEndObject();
        if (finding.Baseline is not null)
        {
            json.WriteString("baselineState", finding.Baseline == "new" ? "new" : "unchanged");
        }
        if (suppressed)
        {
            json.WriteStartArray("suppressions");
            json.WriteStartObject();
            json.WriteString("kind", "inSource");
            json.WriteString("justification", finding.Suppression ?? string.Empty);
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteStartObject("properties");
        json.WriteString("category", finding.Category.Name());
        json.WriteString("context", finding.Context.Name());
        json.WriteBoolean("active", finding.Active);
        json.WriteString("subsystem", Subsystems.Of(finding.File));
        json.WriteStartArray("arches");
        foreach (var arch in finding.Arches)
        {
            json.WriteStringValue(arch);
        }
        json.WriteEndArray();
        if (finding.Subcategory is not null)
        {
            json.WriteString("subcategory", finding.Subcategory);
        }
        if (finding.Phase is not null)
        {
            json.WriteString("phase", finding.Phase);
        }
        // Platform sites (as in the JSON report's findings): what the machine must present, what happens otherwise, the
        // readiness item and its verdict, so a code-scanning view can filter what blocks an HVM boot.
        JsonReportWriter.WritePlatformFields(json, finding);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Message(Finding finding)
    {
        var where = finding.Function is null ? string.Empty : $" in {finding.Function}";
        var inactive = finding.Active ? string.Empty : " (in code this configuration does not compile)";
        return $"{finding.Detail}{where}{inactive}. {finding.Action}";
    }

    private static string HelpText(Rule rule)
    {
        var lines = new List<string> { rule.Description, string.Empty };
        foreach (var (target, guidance) in rule.Targets)
        {
            lines.Add($"{target.Name()} ({guidance.Severity.Name()}): {guidance.Action}");
        }
        if (!rule.References.IsEmpty)
        {
            lines.Add(string.Empty);
            lines.Add("References: " + string.Join("; ", rule.References));
        }
        return string.Join('\n', lines);
    }

    private static string HelpMarkdown(Rule rule)
    {
        var lines = new List<string> { rule.Description, string.Empty, "| target | level | action |", "| --- | --- | --- |" };
        foreach (var (target, guidance) in rule.Targets)
        {
            lines.Add($"| {target.Name()} | {guidance.Severity.Name()} | {guidance.Action.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }
        if (!rule.References.IsEmpty)
        {
            lines.Add(string.Empty);
            lines.AddRange(rule.References.Select(r => $"- {r}"));
        }
        return string.Join('\n', lines);
    }

    /// <summary>x86.cr-write → X86CrWrite: SARIF wants an identifier-like name beside the opaque id.</summary>
    public static string RuleName(string id)
    {
        var name = new System.Text.StringBuilder(id.Length);
        var upper = true;
        foreach (var c in id)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upper = true;
                continue;
            }
            name.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return name.ToString();
    }

    /// <summary>A relative path as a URI reference: each segment percent-encoded, '/' kept.</summary>
    public static string RelativeUri(string relativePath) =>
        string.Join('/', relativePath.Split('/').Select(Uri.EscapeDataString));

    /// <summary>file:///root/ with a trailing slash, as SARIF requires for a base URI.</summary>
    public static string RootUri(string root)
    {
        var uri = new Uri(Path.GetFullPath(root).TrimEnd('/') + "/").AbsoluteUri;
        return uri.EndsWith('/') ? uri : uri + "/";
    }
}
