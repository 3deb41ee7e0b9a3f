using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

/// <summary>The builtin headers must be of the loaded libclang's major version; PARASCOPE_RESOURCE_DIR overrides.</summary>
public sealed class ResourceDirectoryTests
{
    private const string Clang22 = "clang version 22.1.8 (https://github.com/llvm/llvm-project ca7933e)";
    private const string Debian14 = "Debian clang version 14.0.6";

    /// <summary>A fake LLVM install: lib/clang/VERSION/include/stddef.h for each version given.</summary>
    private static string ClangFolder(TempTree tree, string name, params string[] versions)
    {
        foreach (var version in versions)
        {
            tree.Write($"{name}/lib/clang/{version}/include/stddef.h", "/* stddef */\n");
        }
        return Path.Combine(tree.Root, name, "lib", "clang");
    }

    [Fact]
    public void The_folder_of_the_loaded_major_version_is_chosen()
    {
        using var tree = new TempTree();
        var folder = ClangFolder(tree, "llvm", "14.0.6", "22");

        Assert.Equal(Path.Combine(folder, "22"), ResourceDirectory.Locate(null, Clang22, null, _ => [folder]).Value);
        Assert.Equal(Path.Combine(folder, "14.0.6"), ResourceDirectory.Locate(null, Debian14, null, _ => [folder]).Value);
    }

    [Fact]
    public void Headers_of_another_major_version_are_not_taken_and_the_error_says_what_to_install()
    {
        using var tree = new TempTree();
        var folder = ClangFolder(tree, "llvm", "14.0.6");

        var lookup = ResourceDirectory.Locate(null, Clang22, "/opt/tool/runtimes/linux-x64/native/libclang.so", _ => [folder]);

        Assert.Null(lookup.Value);
        Assert.Contains("apt-get install libclang-common-22-dev", lookup.Error?.Message);
        Assert.Contains("PARASCOPE_RESOURCE_DIR", lookup.Error?.Message);
        Assert.DoesNotContain('\n', lookup.Error!.Message);
    }

    [Fact]
    public void The_llvm_install_beside_the_loaded_library_comes_first()
    {
        using var tree = new TempTree();
        var beside = ClangFolder(tree, "beside", "22");
        var system = ClangFolder(tree, "system", "22");
        var library = Path.Combine(tree.Root, "beside", "lib", "libclang.so.1");

        Assert.Equal(Path.Combine(beside, "22"), ResourceDirectory.Locate(null, Clang22, library, _ => [system]).Value);
    }

    [Fact]
    public void Parascope_resource_dir_wins_whatever_its_version()
    {
        using var tree = new TempTree();
        var folder = ClangFolder(tree, "llvm", "22");
        var chosen = Path.Combine(tree.Root, "mine");
        Directory.CreateDirectory(chosen);

        Assert.Equal(chosen, ResourceDirectory.Locate(chosen, Clang22, null, _ => [folder]).Value);
    }

    [Fact]
    public void Parascope_resource_dir_that_is_not_a_folder_is_an_error()
    {
        using var tree = new TempTree();

        var lookup = ResourceDirectory.Locate(Path.Combine(tree.Root, "nowhere"), Clang22, null, _ => []);

        Assert.Null(lookup.Value);
        Assert.StartsWith("PARASCOPE_RESOURCE_DIR=", lookup.Error?.Message);
    }

    [Fact]
    public void The_loaded_libclang_finds_headers_of_its_own_major_version_on_this_machine()
    {
        Assert.True(Parascope.Clang.LibclangLoader.TryLoad(out var error), error);
        if (Environment.GetEnvironmentVariable(ResourceDirectory.EnvironmentVariable) is { Length: > 0 })
        {
            return;
        }
        var lookup = ResourceDirectory.Locate();

        Assert.True(lookup.Error is null, lookup.Error?.Message);
        var major = Parascope.Clang.LibclangLoader.MajorVersion(Parascope.Clang.LibclangLoader.Version());
        Assert.Equal(major.ToString(), Path.GetFileName(lookup.Value)!.Split('.')[0]);
    }
}
