using Parascope.Detectors.Instructions;
using Parascope.Discovery;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Tests.Fuzz;

/// <summary>The readers of user input, fed generated input: each answers (a value or an error), none throws.</summary>
public sealed class ReaderFuzzTests
{
    [Fact]
    public void The_assembly_scanner_reads_any_text_without_throwing()
    {
        var corpus = FuzzInputs.AssemblyFixtures.Concat(FuzzInputs.Fixtures).ToList();
        var defines = new Dictionary<string, string>(StringComparer.Ordinal) { ["__x86_64__"] = "1", ["KERNEL"] = "1" };
        foreach (var seed in FuzzInputs.Seeds(shortRun: 400))
        {
            var text = FuzzInputs.Text(FuzzInputs.Mutate(new Random(seed), corpus));
            foreach (var family in Enum.GetValues<InstructionFamily>())
            {
                var problem = Record.Exception(() =>
                {
                    _ = AssemblySourceScanner.Scan(text, family, defines).Count();
                    _ = AssemblySourceScanner.Includes(text).Count();
                });
                Assert.True(problem is null, $"seed {seed} ({family}): {problem}");
            }
        }
    }

    [Fact]
    public void The_rules_loader_answers_rules_or_errors_for_any_yaml()
    {
        foreach (var seed in FuzzInputs.Seeds(shortRun: 300))
        {
            var text = FuzzInputs.Text(FuzzInputs.Mutate(new Random(seed), FuzzInputs.Rules));
            RuleLoader.Result? loaded = null;
            var problem = Record.Exception(() => loaded = RuleLoader.LoadTexts([("fuzz.yaml", text)]));
            Assert.True(problem is null, $"seed {seed}: {problem}");
            Assert.True(loaded!.Errors.All(e => e.File.Length > 0 && e.Message.Length > 0), $"seed {seed}: an error without a file or a message");
        }
    }

    [Fact]
    public void The_compile_database_reader_answers_entries_or_one_line_for_any_json()
    {
        using var tree = new TempTree();
        var database = Path.Combine(tree.Root, "compile_commands.json");
        List<(string Name, byte[] Bytes)> corpus = [("compile_commands.json", System.Text.Encoding.UTF8.GetBytes(
            """
            [
              {"directory": "/src/xnu", "file": "osfmk/i386/a.c", "arguments": ["clang", "-DKERNEL", "-I", "osfmk", "-c", "osfmk/i386/a.c"]},
              {"directory": "build", "file": "/src/xnu/bsd/b.c", "command": "cc -DNAME=\"a b\" '-DQ=x y' -c /src/xnu/bsd/b.c -o b.o", "arch": "i386"},
              {"directory": ".", "file": "c.s", "command": "cc -c c.s\\ x @flags.rsp"}
            ]
            """))];
        foreach (var seed in FuzzInputs.Seeds(shortRun: 300))
        {
            var random = new Random(seed);
            File.WriteAllBytes(database, FuzzInputs.Mutate(random, corpus));
            Checked<System.Collections.Immutable.ImmutableArray<CompileCommandsDiscovery.CompileCommand>> read = default;
            var problem = Record.Exception(() => read = CompileCommandsDiscovery.Read(database));
            Assert.True(problem is null, $"seed {seed}: {problem}");
            Assert.True(read.Error is null || (read.Error.Message.StartsWith(database, StringComparison.Ordinal) && !read.Error.Message.Contains('\n')),
                $"seed {seed}: {read.Error}");
            var command = FuzzInputs.Text(FuzzInputs.RandomBytes(random, random.Next(200)));
            problem = Record.Exception(() => CompileCommandsDiscovery.SplitCommand(command));
            Assert.True(problem is null, $"seed {seed} (command): {problem}");
        }
    }
}
