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

    [Fact]
    public void The_release_matrix_workflow_scans_shards_merges_uploads_per_category_and_compares_with_commands_the_cli_accepts()
    {
        var path = Path.Combine(ReportTrees.RepositoryRoot, "docs", "ci", "release-matrix.yml");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(path)));
        var jobs = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["jobs"];
        Assert.Equal(["scan", "scan-i386", "merge", "compare"], jobs.Children.Keys.Select(k => k.ToString()));

        var commands = new List<string>();
        foreach (var job in jobs.Children.Values.Cast<YamlMappingNode>())
        {
            foreach (var step in ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>())
            {
                if (step.Children.TryGetValue(new YamlScalarNode("run"), out var run))
                {
                    commands.AddRange(run.ToString().Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
                        .Select(l => l.Trim()).Where(l => l.StartsWith("parascope ", StringComparison.Ordinal)));
                }
            }
        }
        Assert.Contains(commands, c => c.StartsWith("parascope scan", StringComparison.Ordinal) && c.Contains("--shard", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.StartsWith("parascope merge", StringComparison.Ordinal) && c.Contains(".sarif", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.StartsWith("parascope compare", StringComparison.Ordinal));
        foreach (var command in commands)
        {
            // Expressions and shell arrays become plain words, as the runner would make them.
            var words = System.Text.RegularExpressions.Regex.Replace(
                    command.Replace("${{ matrix.arch }}", "x86_64", StringComparison.Ordinal).Replace("${{ matrix.shard }}", "1", StringComparison.Ordinal),
                    @"\$\{\{[^}]*\}\}", "x")
                .Replace("\"$TARGET\"", "xen-pv", StringComparison.Ordinal).Replace("$SHARDS", "4", StringComparison.Ordinal)
                .Replace("\"", "", StringComparison.Ordinal)
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("${", StringComparison.Ordinal)).Skip(1).ToArray();
            var parsed = CommandLine.Build(TextWriter.Null, TextWriter.Null).Parse(words);
            Assert.True(parsed.Errors.Count == 0, string.Join("; ", parsed.Errors.Select(e => e.Message)) + " in: " + command);
        }

        var uploads = jobs["merge"]["steps"].AllNodes.OfType<YamlMappingNode>()
            .Where(s => s.Children.TryGetValue(new YamlScalarNode("uses"), out var use) && use.ToString().StartsWith("github/codeql-action/upload-sarif", StringComparison.Ordinal))
            .ToList();
        var category = Assert.Single(uploads)["with"]["category"].ToString();
        Assert.Contains("matrix.release", category);
        Assert.Contains("matrix.arch", category);
    }
}
