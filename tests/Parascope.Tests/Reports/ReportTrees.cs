using Parascope.Model;

namespace Parascope.Tests.Reports;

/// <summary>Finds the repository's sample tree and the vendored schemas, and scans copies of the sample.</summary>
public static class ReportTrees
{
    /// <summary>The repository root: the first folder above the test binaries that holds Analyzer.sln.</summary>
    public static string RepositoryRoot => FindUp("Analyzer.sln") is { } sln ? Path.GetDirectoryName(sln)! : throw new InvalidOperationException("Analyzer.sln not found above " + AppContext.BaseDirectory);

    public static string SampleTree => Path.Combine(RepositoryRoot, "samples", "mini-xnu");

    /// <summary>
    /// The OASIS SARIF 2.1.0 schema, vendored in tests/Parascope.Tests/Schemas (see the README there for its source)
    /// and copied beside the test binaries.
    /// </summary>
    public static string SarifSchema => Path.Combine(AppContext.BaseDirectory, "Schemas", "sarif-schema-2.1.0.json");

    public static string? FindUp(string relative)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>A fresh copy of samples/mini-xnu in <paramref name="tree"/>.</summary>
    public static void CopySample(TempTree tree)
    {
        foreach (var file in Directory.EnumerateFiles(SampleTree, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(SampleTree, file);
            tree.Write(relative, File.ReadAllText(file));
        }
    }

    public static ScanResult Scan(string root, XenTarget target = XenTarget.XenPv)
    {
        var outcome = ScanPipeline.Run(new ScanRequest { Root = root, Jobs = 1, Target = target });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }
}

/// <summary>One scan of a copy of the sample tree shared by a test class (a scan takes seconds).</summary>
public sealed class SampleScan : IDisposable
{
    private readonly TempTree _tree = new();

    public SampleScan()
    {
        ReportTrees.CopySample(_tree);
        Result = ReportTrees.Scan(_tree.Root);
    }

    public string Root => _tree.Root;
    public ScanResult Result { get; }

    public void Dispose() => _tree.Dispose();
}
