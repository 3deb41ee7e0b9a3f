using System.Text.Json;
using Parascope.Discovery;

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
    public void Relative_include_folders_and_defines_files_resolve_from_the_entry_directory_not_from_where_the_scan_runs()
    {
        // Make-based builds (Bear, the kernel's own compile_commands) write `-I./include` and `-include ./config.h`
        // relative to the entry's directory; the test process runs elsewhere.
        using var tree = new TempTree();
        tree.Write("build/include/pio.h", "extern void outb(unsigned short port, unsigned char value);\n");
        tree.Write("build/config.h", "#define FIXTURE_HAS_PIO 1\n");
        var file = tree.Write("osfmk/i386/probe.c", "#include <pio.h>\n" + Source.Replace("extern void outb(unsigned short port, unsigned char value);\n", ""));
        using var outside = new TempTree();
        var commands = outside.Write("compile_commands.json", JsonSerializer.Serialize(new[]
        {
            new { directory = Path.Combine(tree.Root, "build"), file, arguments = new[] { "clang", "-xc", "-I./include", "-include", "./config.h", "-c", file } },
        }));

        var before = Directory.GetCurrentDirectory();

        var scan = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, CompileCommands = commands });

        Assert.Null(scan.Error);
        Assert.Empty(scan.Result!.Health.MissingHeaders);
        Assert.Single(scan.Result.Findings, f => f.RuleId == "driver-api.port-io");
        // Not by moving the process (clang's -working-directory does, through libclang): a relative -o would land in the tree.
        Assert.Equal(before, Directory.GetCurrentDirectory());
    }

    [Fact]
    public void Relative_path_flags_are_made_absolute_from_the_entry_directory_and_no_working_directory_is_passed()
    {
        // What libclang is given, whatever its version: libclang 14's driver moves the whole process for a
        // -working-directory (a relative -o report landed in the scanned tree), 22's does not, and the suite runs 22.
        using var tree = new TempTree();
        var file = tree.Write("osfmk/i386/probe.c", Source);
        using var outside = new TempTree();
        var build = Path.Combine(tree.Root, "build");
        var commands = outside.Write("compile_commands.json", JsonSerializer.Serialize(new[]
        {
            new { directory = build, file, arguments = new[] { "clang", "-I./include", "-I", "gen", "-iquote", "../quoted", "-include", "./config.h",
                "-I/abs/olute", "-I-", "--sysroot=sdk", "-DRELATIVE=./not/a/path", "-c", file } },
        }));

        var discovery = UnitDiscovery.Discover(new DiscoveryRequest { Root = tree.Root, Arches = ["x86_64"], CompileCommands = commands, CacheDirectory = outside.Root });

        var arguments = Assert.Single(discovery.Units).Arguments;
        Assert.DoesNotContain(arguments, a => a.StartsWith("-working-directory", StringComparison.Ordinal));
        Assert.Equal(
            [$"-I{build}/include", "-I", $"{build}/gen", "-iquote", $"{tree.Root}/quoted", "-include", $"{build}/config.h", "-I/abs/olute", "-I-",
                $"--sysroot={build}/sdk", "-DRELATIVE=./not/a/path"],
            arguments.TakeWhile(a => a != "-resource-dir").ToArray());
    }

    [Fact]
    public void A_missing_compile_commands_file_is_a_one_line_error()
    {
        using var tree = new TempTree();
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, CompileCommands = Path.Combine(tree.Root, "nope.json") });
        Assert.Contains("no such compile_commands.json", outcome.Error!.Message);
    }

    [Fact]
    public void A_syntax_error_names_the_database_and_its_line()
    {
        using var tree = new TempTree();
        var database = tree.Write("compile_commands.json", "[\n  {\"directory\": \"/x\",\n   \"file\": \"a.c\" \"command\": \"cc a.c\"}\n]\n");

        var error = CompileCommandsDiscovery.Read(database).Error!.Message;

        Assert.StartsWith($"{database}:3: not valid JSON", error);
        Assert.DoesNotContain("LineNumber", error);
    }

    [Fact]
    public void An_entry_without_a_file_is_an_error_naming_its_line()
    {
        using var tree = new TempTree();
        var database = tree.Write("compile_commands.json", "[\n  {\"directory\": \"/x\", \"file\": \"a.c\", \"command\": \"cc a.c\"},\n  {\"directory\": \"/x\", \"command\": \"cc b.c\"}\n]\n");

        Assert.Equal($"{database}:3: entry 2 has no \"file\"", CompileCommandsDiscovery.Read(database).Error!.Message);
    }

    [Fact]
    public void An_entry_without_arguments_or_command_is_an_error_naming_its_line()
    {
        using var tree = new TempTree();
        var database = tree.Write("compile_commands.json", "[{\"directory\": \"/x\", \"file\": \"a.c\"}]");

        Assert.Equal($"{database}:1: entry 1 has neither \"arguments\" nor \"command\"", CompileCommandsDiscovery.Read(database).Error!.Message);
    }

    [Fact]
    public void A_command_is_split_with_shell_quoting()
    {
        var words = CompileCommandsDiscovery.SplitCommand("""cc -DNAME="a b" '-DQ=it''s' -DE=\"x\" "-DB=c:\d" a\ b.c""").Value!;

        Assert.Equal(["cc", "-DNAME=a b", "-DQ=its", "-DE=\"x\"", "-DB=c:\\d", "a b.c"], words);
    }

    [Fact]
    public void A_command_with_an_unclosed_quote_is_an_error()
    {
        using var tree = new TempTree();
        var database = tree.Write("compile_commands.json", "[{\"directory\": \"/x\", \"file\": \"a.c\", \"command\": \"cc '-DX=1 a.c\"}]");

        Assert.Contains("unclosed ' quote", CompileCommandsDiscovery.Read(database).Error!.Message);
    }

    [Fact]
    public void A_relative_file_is_taken_from_the_entry_directory_and_a_relative_directory_from_the_database_folder()
    {
        using var tree = new TempTree();
        var database = tree.Write("build/compile_commands.json", "[{\"directory\": \"../src\", \"file\": \"osfmk/a.c\", \"arguments\": [\"cc\", \"-c\", \"osfmk/a.c\"]}]");

        var entry = Assert.Single(CompileCommandsDiscovery.Read(database).Value);

        Assert.Equal(Path.Combine(tree.Root, "src", "osfmk", "a.c"), entry.Path);
        Assert.Equal(Path.Combine(tree.Root, "src"), entry.Directory);
    }

    [Fact]
    public void A_database_that_names_no_file_under_the_root_is_an_input_error()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/probe.c", Source);
        using var other = new TempTree();
        var commands = other.Write("compile_commands.json", JsonSerializer.Serialize(new[]
        {
            new { directory = other.Root, file = "osfmk/i386/probe.c", arguments = new[] { "clang", "-c", "osfmk/i386/probe.c" } },
        }));

        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, CompileCommands = commands });

        Assert.Null(outcome.Result);
        Assert.Contains($"none of its 1 entries names a file under {tree.Root}", outcome.Error!.Message);
        Assert.DoesNotContain('\n', outcome.Error.Message);
    }

    [Fact]
    public void A_database_that_names_only_some_files_under_the_root_is_a_warning_with_the_counts()
    {
        using var tree = new TempTree();
        var file = tree.Write("osfmk/i386/probe.c", Source);
        var commands = tree.Write("compile_commands.json", JsonSerializer.Serialize(new[]
        {
            new { directory = tree.Root, file, arguments = new[] { "clang", "-c", file } },
            new { directory = tree.Root, file = "/elsewhere/x.c", arguments = new[] { "clang", "-c", "/elsewhere/x.c" } },
            new { directory = tree.Root, file = "gone.c", arguments = new[] { "clang", "-c", "gone.c" } },
        }));

        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, CompileCommands = commands });

        Assert.Equal(1, outcome.Result!.Health.Counts.Total);
        Assert.Contains(outcome.Result.Warnings, w => w.Contains("2 of 3 entries skipped", StringComparison.Ordinal)
                                                       && w.Contains("1 outside", StringComparison.Ordinal)
                                                       && w.Contains("1 name no existing file", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_database_is_an_input_error()
    {
        using var tree = new TempTree();
        tree.Write("a.c", "int x;\n");
        var commands = tree.Write("compile_commands.json", "[]");

        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, CompileCommands = commands });

        Assert.Contains("no entries", outcome.Error!.Message);
    }

    [Fact]
    public void A_database_with_invalid_utf8_is_an_error_naming_the_line()
    {
        using var tree = new TempTree();
        var database = Path.Combine(tree.Root, "compile_commands.json");
        File.WriteAllBytes(database, [.. "[\n{\"directory\": \"/x\",\n \"file\": \"a"u8, 0xC0, 0xAF, .. ".c\", \"command\": \"cc a.c\"}]"u8]);

        Assert.Equal($"{database}:3: not valid UTF-8 (byte 34)", CompileCommandsDiscovery.Read(database).Error!.Message);
    }
}
