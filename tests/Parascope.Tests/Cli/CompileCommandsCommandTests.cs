using System.Text.Json;

namespace Parascope.Tests.Cli;

/// <summary>`parascope compile-commands`: the units a scan parses, with their flags, for other tools to see the tree the same way.</summary>
public sealed class CompileCommandsCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private static TempTree DevelopmentTree()
    {
        var tree = new TempTree();
        MergeDiffTests.WriteXnuLayout(tree, ["osfmk/kern/debug_only.c", "osfmk/kern/plain.c"], [], development: true);
        tree.Write("osfmk/kern/debug_only.c", "#if DEVELOPMENT\nint debug_only_counter;\n#endif\nint debug_only;\n");
        tree.Write("osfmk/kern/plain.c", "int plain;\n");
        return tree;
    }

    private static JsonElement[] Entries(string json) => [.. JsonDocument.Parse(json).RootElement.EnumerateArray()];

    [Fact]
    public void Without_variants_each_unit_is_listed_once_in_the_scanned_configuration()
    {
        using var tree = DevelopmentTree();
        var (exit, output, error) = Run("compile-commands", tree.Root);
        Assert.True(exit == 0, error);
        var entries = Entries(output);
        Assert.Equal(2, entries.Length);
        Assert.All(entries, e => Assert.False(e.TryGetProperty("variant", out _)));
    }

    [Fact]
    public void With_variants_a_unit_parsed_again_in_another_configuration_is_listed_with_that_configuration()
    {
        // What the driver-api oracle needs to dump a DEVELOPMENT-only call with clang: the variant's own flags.
        using var tree = DevelopmentTree();
        var (exit, output, error) = Run("compile-commands", tree.Root, "--variants");
        Assert.True(exit == 0, error);
        var variant = Assert.Single(Entries(output), e => e.TryGetProperty("variant", out var v) && v.GetBoolean());
        Assert.EndsWith("osfmk/kern/debug_only.c", variant.GetProperty("file").GetString());
        Assert.Equal("DEVELOPMENT", variant.GetProperty("configuration").GetString());
        Assert.Contains(variant.GetProperty("arguments").EnumerateArray(), a => a.GetString()!.StartsWith("-DDEVELOPMENT", StringComparison.Ordinal));
    }
}
