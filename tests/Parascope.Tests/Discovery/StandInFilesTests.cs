using Parascope.Discovery;
using Parascope.Discovery.Xnu;
using Parascope.Files;

namespace Parascope.Tests.Discovery;

/// <summary>
/// The files of a folder of the tree, taken from the tree's listing instead of a walk: the same files in the same order
/// as the walk gives (<see cref="FolderListing.Tree"/>), whatever links, hidden entries and odd names the folder holds.
/// </summary>
public sealed class StandInFilesTests
{
    private static TempTree Tree()
    {
        var tree = new TempTree();
        tree.Write("osfmk/kern/thread.c", "int a;\n");
        tree.Write("osfmk/kern/thread.h", "int b;\n");
        tree.Write("osfmk/mach/mach.defs", "subsystem mach 1;\n");
        tree.Write("osfmk/mach/sub/deep/task.defs", "subsystem task 2;\n");
        tree.Write("osfmk/mach/Makefile", "EXPORT_MI_DIR = mach\n");
        tree.Write("osfmk/mach/version.h.template", "###KERNEL_VERSION_MAJOR###\n");
        tree.Write("osfmk/.hidden/secret.defs", "subsystem hidden 3;\n");
        tree.Write("osfmk/mach/.dot.defs", "subsystem dot 4;\n");
        tree.Write("osfmk-other/x.defs", "subsystem other 5;\n"); // beside osfmk, its name a prefix: not under it
        tree.Write("osfmk/MIG.DEFS", "subsystem upper 6;\n");
        tree.Write("elsewhere/linked.defs", "subsystem linked 7;\n");
        File.CreateSymbolicLink(Path.Combine(tree.Root, "osfmk/mach/link.defs"), Path.Combine(tree.Root, "elsewhere/linked.defs"));
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "osfmk/linked-folder"), Path.Combine(tree.Root, "elsewhere"));
        Directory.CreateDirectory(Path.Combine(tree.Root, "bsd/empty"));
        return tree;
    }

    [Fact]
    public void The_listing_leaves_out_hidden_files_hidden_links_and_everything_in_hidden_folders()
    {
        using var tree = Tree();
        File.CreateSymbolicLink(Path.Combine(tree.Root, "osfmk/mach/.hidden-link.defs"), Path.Combine(tree.Root, "elsewhere/linked.defs"));
        tree.Write(".git/objects/pack.c", "int packed;\n");

        var files = FileInventory.Of(tree.Root);

        Assert.Equal(["elsewhere/linked.defs", "osfmk-other/x.defs", "osfmk/MIG.DEFS", "osfmk/kern/thread.c", "osfmk/kern/thread.h",
            "osfmk/mach/Makefile", "osfmk/mach/mach.defs", "osfmk/mach/sub/deep/task.defs", "osfmk/mach/version.h.template"], files.RelativePaths.ToArray());
        Assert.Empty(files.Skipped);
    }

    [Theory]
    [InlineData("osfmk", "*")]
    [InlineData("osfmk", "*.defs")]
    [InlineData("osfmk", "*.h.template")]
    [InlineData("osfmk", "Makefile")]
    [InlineData("osfmk/mach", "*.defs")]
    [InlineData("osfmk/kern", "*")]
    public void A_folder_the_listing_walked_lists_what_a_walk_of_it_lists(string folder, string pattern)
    {
        using var tree = Tree();
        var files = FileInventory.Of(tree.Root);
        var absolute = Path.Combine(tree.Root, folder);

        Assert.NotNull(files.FilesUnder(absolute));
        Assert.Equal(FolderListing.Tree(absolute, pattern), StandInFiles.Enumerate(files, absolute, pattern));
    }

    [Theory]
    [InlineData("osfmk/linked-folder")] // a link to a folder: the listing does not enter it, a walk does
    [InlineData("bsd/empty")]
    [InlineData("bsd")]
    [InlineData("missing")]
    [InlineData("osfmk/.hidden")]
    public void A_folder_the_listing_has_no_file_under_is_walked(string folder)
    {
        using var tree = Tree();
        var files = FileInventory.Of(tree.Root);
        var absolute = Path.Combine(tree.Root, folder);

        Assert.Null(files.FilesUnder(absolute));
        Assert.Equal(FolderListing.Tree(absolute, "*.defs"), StandInFiles.Enumerate(files, absolute, "*.defs"));
    }

    [Fact]
    public void A_folder_outside_the_root_is_walked()
    {
        using var tree = Tree();
        using var outside = new TempTree();
        outside.Write("include/a.h", "int c;\n");
        var files = FileInventory.Of(tree.Root);

        Assert.Null(files.FilesUnder(outside.Root));
        Assert.Null(files.FilesUnder(tree.Root));
        Assert.Equal([Path.Combine(outside.Root, "include/a.h")], StandInFiles.Enumerate(files, outside.Root, "*.h"));
    }
}
