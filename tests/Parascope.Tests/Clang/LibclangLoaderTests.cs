using Parascope.Clang;

namespace Parascope.Tests.Clang;

public sealed class LibclangLoaderTests
{
    private static readonly string[] Tool = ["/opt/tool"];

    [Fact]
    public void Parascope_libclang_is_the_only_candidate_when_set()
    {
        var candidates = LibclangLoader.Candidates("/usr/lib/x86_64-linux-gnu/libclang-14.so.1", Tool).ToList();

        Assert.Equal([new LibclangCandidate("/usr/lib/x86_64-linux-gnu/libclang-14.so.1", LibclangSource.Environment)], candidates);
    }

    [Fact]
    public void The_bundled_libclang_is_tried_before_any_system_one()
    {
        var candidates = LibclangLoader.Candidates(null, Tool).ToList();

        Assert.Equal(LibclangSource.Bundled, candidates[0].Source);
        Assert.Equal(Path.Combine("/opt/tool", "runtimes", LibclangLoader.RuntimeIdentifier(), "native"), Path.GetDirectoryName(candidates[0].Path));
        var lastBundled = candidates.FindLastIndex(c => c.Source == LibclangSource.Bundled);
        var firstSystem = candidates.FindIndex(c => c.Source == LibclangSource.System);
        Assert.True(lastBundled < firstSystem);
    }

    [Fact]
    public void System_libclangs_are_tried_newest_first_from_22_down_to_14()
    {
        var names = LibclangLoader.Candidates(null, Tool).Where(c => c.Source == LibclangSource.System).Select(c => c.Path).ToList();

        Assert.Equal(0, names.IndexOf("libclang-22.so.1"));
        Assert.True(names.IndexOf("libclang-22.so.1") < names.IndexOf("libclang-21.so.1"));
        Assert.True(names.IndexOf("libclang-15.so.1") < names.IndexOf("libclang-14.so.1"));
    }

    [Fact]
    public void The_runtime_package_puts_libclang_into_the_build_output()
    {
        if (LibclangLoader.RuntimeIdentifier() != "linux-x64")
        {
            return; // only the linux-x64 runtime package is referenced; other platforms use a system libclang
        }
        Assert.Contains(LibclangLoader.BundledPaths([AppContext.BaseDirectory]), File.Exists);
    }

    [Fact]
    public void Without_an_override_the_bundled_libclang_22_is_the_one_loaded()
    {
        if (LibclangLoader.RuntimeIdentifier() != "linux-x64" || Environment.GetEnvironmentVariable(LibclangLoader.EnvironmentVariable) is { Length: > 0 })
        {
            return; // a run with PARASCOPE_LIBCLANG (the lead's libclang 14 comparisons) loads that one, by design
        }
        Assert.True(LibclangLoader.TryLoad(out var error), error);

        Assert.Equal(LibclangSource.Bundled, LibclangLoader.Source);
        Assert.Equal("bundled", LibclangLoader.Origin);
        Assert.Equal(22, LibclangLoader.MajorVersion(LibclangLoader.Version()));
    }

    [Theory]
    [InlineData("Debian clang version 14.0.6", 14)]
    [InlineData("clang version 22.1.8 (https://github.com/llvm/llvm-project ca7933e47d3a3451d81e72ac174dcb5aa28b59d1)", 22)]
    [InlineData("Apple clang version 17.0.0 (clang-1700.0.13.3)", 17)]
    [InlineData("no version here", null)]
    public void The_major_version_is_read_from_the_version_string(string text, int? major) =>
        Assert.Equal(major, LibclangLoader.MajorVersion(text));
}
