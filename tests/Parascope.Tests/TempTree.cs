namespace Parascope.Tests;

/// <summary>A throw-away folder for one test, removed afterwards.</summary>
public sealed class TempTree : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("parascope-test-").FullName;

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Every file given the modification time WHEN (UTC), its bytes left alone: a touch, a fresh clone of the same commit.</summary>
    public void TouchAll(DateTime when)
    {
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, when);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A scan of this tree with every unit listed (stand-ins in CACHE), one job.</summary>
    public ScanOutcome ScanWithUnits(string cache, params string[] arches) =>
        ScanPipeline.Run(new ScanRequest
        {
            Root = Root,
            Arches = [.. arches],
            Jobs = 1,
            IncludeUnits = true,
            CacheDirectory = cache,
        });
}
