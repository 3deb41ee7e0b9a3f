using System.Diagnostics;
using Parascope.Files;
using Parascope.Reports;

namespace Parascope.Tests.Files;

public sealed class TreeWatchTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(600);

    [Fact]
    public void A_file_written_in_a_subfolder_is_a_change_once_the_tree_has_been_quiet()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/kern/thread.c", "int a;\n");
        using var watch = TreeWatch.Start(tree.Root, [], null).Value!;

        File.AppendAllText(Path.Combine(tree.Root, "osfmk/kern/thread.c"), "int b;\n");
        var written = Stopwatch.StartNew();
        var changed = watch.NextChange(Quiet, Timeout());

        Assert.Equal(["osfmk/kern/thread.c"], changed);
        Assert.True(written.Elapsed >= Quiet - TimeSpan.FromMilliseconds(20), $"returned {written.ElapsedMilliseconds} ms after the write, before the quiet period");
    }

    [Fact]
    public void Changes_within_the_quiet_period_come_back_together_sorted_and_then_are_forgotten()
    {
        using var tree = new TempTree();
        // Folders made before the watch: one made after it is a change of its own, and what is written in it at once may
        // come before the system watches it (the scan that follows lists the whole tree anyway).
        foreach (var folder in new[] { "osfmk/i386", "bsd/kern", "iokit" })
        {
            Directory.CreateDirectory(Path.Combine(tree.Root, folder));
        }
        using var watch = TreeWatch.Start(tree.Root, [], null).Value!;

        tree.Write("osfmk/i386/pmap.c", "int a;\n");
        Thread.Sleep(100);
        tree.Write("bsd/kern/a.c", "int b;\n");
        File.Delete(Path.Combine(tree.Root, "osfmk/i386/pmap.c"));

        Assert.Equal(["bsd/kern/a.c", "osfmk/i386/pmap.c"], watch.NextChange(Quiet, Timeout()));
        tree.Write("iokit/b.cpp", "int c;\n");
        Assert.Equal(["iokit/b.cpp"], watch.NextChange(Quiet, Timeout()));
    }

    [Fact]
    public void The_scans_own_reports_their_temporary_files_and_the_cache_are_not_changes()
    {
        using var tree = new TempTree();
        tree.Write("cache/keep", "");
        Directory.CreateDirectory(Path.Combine(tree.Root, "osfmk"));
        var report = Path.Combine(tree.Root, "report.json");
        using var watch = TreeWatch.Start(tree.Root, [report, AtomicFile.TemporaryOf(report)], Path.Combine(tree.Root, "cache")).Value!;

        File.WriteAllText(report, "{}");
        File.WriteAllText(Path.Combine(tree.Root, $".report.json.{Environment.ProcessId}.tmp"), "{");
        tree.Write("cache/entries/ab/cd", "facts");
        tree.Write("osfmk/x.c", "int x;\n");

        Assert.Equal(["osfmk/x.c"], watch.NextChange(Quiet, Timeout()));
    }

    [Fact]
    public void A_temporary_file_of_something_else_is_a_change()
    {
        using var tree = new TempTree();
        using var watch = TreeWatch.Start(tree.Root, [Path.Combine(tree.Root, "report.json")], null).Value!;

        tree.Write(".thread.c.4913.tmp", "an editor's save");

        Assert.Equal([".thread.c.4913.tmp"], watch.NextChange(Quiet, Timeout()));
    }

    [Fact]
    public void The_root_removed_is_a_change_of_everything_and_made_again_it_is_watched_again()
    {
        using var parent = new TempTree();
        var root = Path.Combine(parent.Root, "xnu");
        parent.Write("xnu/osfmk/a.c", "int a;\n");
        using var watch = TreeWatch.Start(root, [], null).Value!;

        Directory.Delete(root, recursive: true);
        Assert.Contains(TreeWatch.Everything, watch.NextChange(Quiet, Timeout()));

        // Unpacked again: found back by the watch's look every 200 ms, then a change of everything.
        parent.Write("xnu/osfmk/a.c", "int a2;\n");
        Assert.Contains(TreeWatch.Everything, watch.NextChange(Quiet, Timeout()));
        parent.Write("xnu/osfmk/b.c", "int b;\n");
        Assert.Equal(["osfmk/b.c"], watch.NextChange(Quiet, Timeout()));
    }

    [Fact]
    public void A_folder_that_does_not_exist_cannot_be_watched_and_says_so()
    {
        using var tree = new TempTree();
        var missing = Path.Combine(tree.Root, "no-such-tree");

        var started = TreeWatch.Start(missing, [], null);

        Assert.Null(started.Value);
        Assert.Equal($"{missing}: not a folder, cannot be watched", started.Error!.Message);
    }

    [Fact]
    public void Waiting_ends_when_cancelled()
    {
        using var tree = new TempTree();
        using var watch = TreeWatch.Start(tree.Root, [], null).Value!;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.Throws<OperationCanceledException>(() => watch.NextChange(Quiet, cancel.Token));
    }

    /// <summary>A bound on any wait, so that a watch that never reports fails the test instead of hanging it.</summary>
    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
}
