using System.CommandLine;
using Parascope.Caching;

namespace Parascope.Cli.Commands;

/// <summary>`parascope cache info|clear [--cache DIR]`: what the cache folder holds, and emptying it.</summary>
public static class CacheCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var cache = new Command("cache", "Show or clear the cache of unit results (and XNU stand-in headers).");
        cache.Subcommands.Add(Info(output));
        cache.Subcommands.Add(Clear(output));
        return cache;
    }

    private static Option<string?> FolderOption() => new("--cache")
    {
        Description = "Cache folder (default: $XDG_CACHE_HOME/parascope or ~/.cache/parascope).",
    };

    private static string FolderOf(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { Length: > 0 } folder ? Path.GetFullPath(folder) : ScanPipeline.DefaultCacheDirectory();

    private static Command Info(TextWriter output)
    {
        var folder = FolderOption();
        var info = new Command("info", "Print the cache folder, its unit entries, their size and when they were last used.") { folder };
        info.SetAction(parse =>
        {
            var contents = ResultCache.Info(FolderOf(parse, folder));
            output.WriteLine($"folder: {contents.Folder}");
            output.WriteLine($"unit results: {contents.Entries} ({Size(contents.Bytes)}; bound {Size(ResultCache.DefaultMaxBytes)}, least recently used evicted first)");
            if (contents.OldestUse is { } oldest && contents.NewestUse is { } newest)
            {
                output.WriteLine($"used: {oldest:yyyy-MM-dd HH:mm:ss}Z to {newest:yyyy-MM-dd HH:mm:ss}Z");
            }
            output.WriteLine($"whole-scan results: {contents.Scans} ({Size(contents.ScanBytes)})");
            output.WriteLine($"xnu stand-in folders: {contents.StandInFolders}");
            return ExitCodes.Done;
        });
        return info;
    }

    private static Command Clear(TextWriter output)
    {
        var folder = FolderOption();
        var clear = new Command("clear", "Delete the unit results and the XNU stand-in folders under the cache folder (nothing else).") { folder };
        clear.SetAction(parse =>
        {
            var removed = ResultCache.Clear(FolderOf(parse, folder));
            output.WriteLine($"cleared {removed.Folder}: {removed.Entries} unit results ({Size(removed.Bytes)}), {removed.Scans} whole-scan results ({Size(removed.ScanBytes)}), {removed.StandInFolders} stand-in folders");
            return ExitCodes.Done;
        });
        return clear;
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0} KiB",
        _ => $"{bytes} B",
    };
}
