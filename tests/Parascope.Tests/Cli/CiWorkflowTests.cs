using Parascope.Cli;
using Parascope.Tests.Reports;
using YamlDotNet.RepresentationModel;

namespace Parascope.Tests.Cli;

/// <summary>docs/ci/parascope.yml stays a valid workflow whose scan uses options the CLI has.</summary>
public sealed class CiWorkflowTests
{
    [Fact]
    public void The_workflow_scans_uploads_sarif_and_writes_the_step_summary_with_options_the_cli_accepts()
    {
        var path = Path.Combine(ReportTrees.RepositoryRoot, "docs", "ci", "parascope.yml");
        var text = File.ReadAllText(path);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var steps = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["jobs"])["scan"])["steps"];
        var runs = steps.Children.OfType<YamlMappingNode>()
            .Select(s => s.Children.TryGetValue(new YamlScalarNode("run"), out var run) ? run.ToString() : "").ToList();
        var uses = steps.Children.OfType<YamlMappingNode>()
            .Select(s => s.Children.TryGetValue(new YamlScalarNode("uses"), out var use) ? use.ToString() : "").ToList();
        Assert.Contains(uses, u => u.StartsWith("github/codeql-action/upload-sarif", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains("summary.md >> \"$GITHUB_STEP_SUMMARY\"", StringComparison.Ordinal));

        var scan = runs.Single(r => r.Contains("parascope scan", StringComparison.Ordinal));
        var line = scan[scan.IndexOf("parascope scan", StringComparison.Ordinal)..].Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')[0];
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Replace("\"$TARGET\"", "xen-pv", StringComparison.Ordinal))
            .Where(w => !w.StartsWith("\"${", StringComparison.Ordinal))
            .Skip(1).ToArray();
        var parsed = CommandLine.Build(TextWriter.Null, TextWriter.Null).Parse(words);
        Assert.True(parsed.Errors.Count == 0, string.Join("; ", parsed.Errors.Select(e => e.Message)) + " in: " + string.Join(' ', words));
        Assert.Contains("report.sarif", words);
        Assert.Contains("--fail-on", words);
    }
}
