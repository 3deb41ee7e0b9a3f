using System.Runtime.CompilerServices;

namespace Parascope.Tests;

/// <summary>
/// The CLI caches unit results (and XNU stand-ins) under $XDG_CACHE_HOME/parascope by default: every test, and every
/// process a test starts, gets a throw-away cache home instead of the user's real one.
/// </summary>
internal static class TestCacheHome
{
    public static string Folder { get; } = Directory.CreateTempSubdirectory("parascope-test-cache-").FullName;

    [ModuleInitializer]
    internal static void Isolate()
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A process a test started may still hold a file: the folder is in the temp folder anyway.
            }
        };
    }
}
