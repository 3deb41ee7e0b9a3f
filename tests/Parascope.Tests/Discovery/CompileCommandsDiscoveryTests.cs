using System.Text.Json;

namespace Parascope.Tests.Discovery;

public sealed class CompileCommandsDiscoveryTests
{
    private const string Source = """
        extern void outb(unsigned short port, unsigned char value);
        void probe(void)
        {
        #ifdef FIXTURE_HAS_PIO
        	outb(0x80, 1);
        #endif
        }
        """;

    [Fact]
    public void Flags_from_compile_commands_reach_the_parse()
    {
        using var tree = new TempTree();
        var file = tree.Write("osfmk/i386/probe.c", Source);
        using var outside = new TempTree();
        var commands = outside.Write("compile_commands.json", JsonSerializer.Serialize(new[]
        {
            new { directory = tree.Root, file, arguments = new[] { "clang", "-xc", "-DFIXTURE_HAS_PIO", "-c", file, "-o", "probe.o" } },
        }));

        var withFlags = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, CompileCommands = commands });
        var generic = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, Profile = "generic" });

        Assert.Null(withFlags.Error);
        Assert.Equal("compile-commands", withFlags.Result!.Profile);
        Assert.Single(withFlags.Result.Findings, f => f.RuleId == "driver-api.port-io" && f.Line == 5);
        Assert.DoesNotContain(generic.Result!.Findings, f => f.RuleId == "driver-api.port-io");
    }

    [Fact]
    public void A_missing_compile_commands_file_is_a_one_line_error()
    {
        using var tree = new TempTree();
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, CompileCommands = Path.Combine(tree.Root, "nope.json") });
        Assert.Contains("no such compile_commands.json", outcome.Error!.Message);
    }
}
