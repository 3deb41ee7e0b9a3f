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
}
