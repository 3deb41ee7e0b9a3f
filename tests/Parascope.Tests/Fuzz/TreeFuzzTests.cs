using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parascope.Discovery;
using Parascope.Files;
using Parascope.Model;
using Parascope.Reports;

namespace Parascope.Tests.Fuzz;

/// <summary>
/// The whole pipeline over generated hostile trees: mutated fixtures, binary files named .c, invalid UTF-8, CRLF,
/// #include cycles, a symlink loop and links out of the root. Each scan must end (a result or a one-line input
/// error), account for every unit, write valid JSON and SARIF, and leave the tree byte for byte as it was.
/// </summary>
public sealed class TreeFuzzTests
{
    private static readonly string[] Folders = ["osfmk/i386", "osfmk/x86_64", "osfmk/arm64", "bsd/kern", "iokit/Kernel", "pexpert/i386", "."];

    [Fact]
    public void Hostile_trees_scan_to_a_result_with_every_unit_accounted_for_and_the_tree_unchanged()
    {
        using var cache = new TempTree();
        using var outside = new TempTree();
        outside.Write("stolen.c", "void stolen(void) { __asm__ volatile(\"hlt\"); }\n");
        foreach (var seed in FuzzInputs.Seeds(shortRun: 4, cost: 50))
        {
            using var tree = new TempTree();
            var random = new Random(seed);
            Build(tree, random, outside.Root);
            var before = Hash(tree.Root);

            // Files that vanish during the scan: one or two of the tree's sources are deleted when the first unit is
            // done (so after discovery listed them); the tree's hash is taken again after the deletions.
            var vanishing = Directory.EnumerateFiles(tree.Root, "*.c", SearchOption.TopDirectoryOnly)
                .Concat(Directory.EnumerateFiles(Path.Combine(tree.Root, "osfmk"), "*.s",
                    new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
                .Where(path => new FileInfo(path).LinkTarget is null)
                .Order(StringComparer.Ordinal).Take(random.Next(0, 3)).ToList();
            var deleted = 0;
            var arches = random.Next(2) == 0 ? new[] { "x86_64" } : ["x86_64", "arm64"];
            var outcome = Scan(seed, tree.Root, arches, cache.Root, (_, _) =>
            {
                if (Interlocked.Exchange(ref deleted, 1) == 0)
                {
                    vanishing.ForEach(File.Delete);
                }
            });
            if (vanishing.Count > 0)
            {
                vanishing.ForEach(File.Delete);
                before = Hash(tree.Root);
            }

            Assert.Equal(before, Hash(tree.Root));
            if (outcome.Result is not { } result)
            {
                Assert.False(outcome.Error!.Message.Contains('\n'), $"seed {seed}: {outcome.Error}");
                continue;
            }
            AssertWholeResult(seed, result);
        }
    }

    /// <summary>
    /// The sizes no fixture reaches: a 5 MB C unit and a 5 MB assembly file of data tables (50 MB each in the long
    /// run, PARASCOPE_FUZZ_ITERATIONS), and a unit with 100,000 errors. Each is one unit of the result, read whole.
    /// </summary>
    [Fact]
    public void Huge_sources_and_a_unit_with_100000_errors_scan_to_a_whole_result()
    {
        using var cache = new TempTree();
        using var tree = new TempTree();
        var megabytes = FuzzInputs.Iterations(shortRun: 5, cost: 60);
        var random = new Random(FuzzInputs.FirstSeed);
        WriteTable(Path.Combine(tree.Root, "osfmk/i386/blob.c"), megabytes, random, "static const unsigned char firmware[] = {\n", "\t{0},\n",
            "};\nvoid blob_halt(void) { __asm__ volatile(\"hlt\"); }\n");
        WriteTable(Path.Combine(tree.Root, "osfmk/i386/blob.s"), megabytes, random, "\t.data\n_blob:\n", "\t.byte {0}\n", "\t.text\n_blob_halt:\n\thlt\n");
        var errors = new StringBuilder();
        for (var i = 0; i < 100_000; i++)
        {
            errors.Append($"undeclared_type_{i} x{i} = nothing_{i};\n");
        }
        tree.Write("bsd/kern/errors.c", errors.ToString());
        var before = Hash(tree.Root);

        var outcome = Scan(FuzzInputs.FirstSeed, tree.Root, ["x86_64"], cache.Root, null);

        Assert.Equal(before, Hash(tree.Root));
        var result = outcome.Result ?? throw new Xunit.Sdk.XunitException($"no result: {outcome.Error}");
        AssertWholeResult(FuzzInputs.FirstSeed, result);
        Assert.Equal(3, result.Health.Counts.Total);
        Assert.Equal(1, result.Health.Counts.WithErrors);
        Assert.Equal(2, result.Findings.Count(f => f.Active && f.RuleId == "x86.hlt"));
    }

    /// <summary>
    /// FIFOs, a socket and a link to /dev/zero where the scan reads files (units, an included header, assembly, the
    /// XNU profile's config and makefiles, the root's compile_commands.json and ignore file), a link to `/` and a link
    /// loop: every one is skipped with a one-line warning naming it, never opened (opening a FIFO blocks until a writer
    /// comes), and the scan ends well inside the time limit; a regression fails here instead of hanging the suite.
    /// </summary>
    [Fact]
    public async Task Fifos_sockets_devices_and_links_to_them_are_skipped_with_a_warning_never_opened()
    {
        using var cache = new TempTree();
        using var tree = new TempTree();
        Reports.ReportTrees.CopySample(tree);
        tree.Write("osfmk/i386/user_pipe.c", "#include \"pipe.h\"\n#include \"zero.h\"\nvoid user_pipe(void) { __asm__ volatile(\"hlt\"); }\n");
        string[] fifos = ["osfmk/i386/pipe.c", "osfmk/i386/pipe.h", "osfmk/i386/pipe.s", "bsd/kern/pipe.cpp", "osfmk/conf/MASTER", "osfmk/conf/files",
            "osfmk/conf/Makefile.template", "iokit/Makefile", "iokit/IOKit/pipe.iig", "osfmk/mach/pipe.defs", "compile_commands.json", ".parascope-ignore"];
        foreach (var fifo in fifos)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tree.Root, fifo))!);
            Assert.True(Fifos.Make(Path.Combine(tree.Root, fifo)), $"mkfifo {fifo}");
        }
        File.CreateSymbolicLink(Path.Combine(tree.Root, "osfmk/i386/zero.h"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(tree.Root, "bsd/kern/linked_pipe.c"), Path.Combine(tree.Root, "osfmk/i386/pipe.c"));
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "bsd/machine_root"), "/");
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "iokit/loop"), Path.Combine(tree.Root, "iokit"));
        // Open for the whole test: .NET removes a socket's file when the socket is closed.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(tree.Root, "bsd/kern/socket.c")));
        var before = Hash(tree.Root);

        var scan = Task.Run(() => ScanPipeline.Run(new ScanRequest
        {
            Root = tree.Root,
            Arches = ["x86_64"],
            Jobs = 2,
            IncludeUnits = true,
            CacheDirectory = cache.Root,
            UnitTimeout = TimeSpan.FromSeconds(60),
        }));
        if (await Task.WhenAny(scan, Task.Delay(TimeSpan.FromSeconds(120))) != scan)
        {
            // Let the blocked reader go (a writer opens each FIFO), so the test host is not left with it.
            foreach (var fifo in fifos)
            {
                _ = Task.Run(() => File.WriteAllText(Path.Combine(tree.Root, fifo), string.Empty));
            }
            Assert.Fail("the scan of a tree with FIFOs did not end within 120 s");
        }

        var outcome = await scan;
        var result = outcome.Result ?? throw new Xunit.Sdk.XunitException($"no result: {outcome.Error}");
        Assert.Equal(before, Hash(tree.Root));
        AssertWholeResult(FuzzInputs.FirstSeed, result);
        foreach (var skipped in fifos.Append("bsd/kern/socket.c").Append("osfmk/i386/zero.h").Append("bsd/kern/linked_pipe.c"))
        {
            Assert.True(result.Warnings.Count(w => w.StartsWith(skipped + ": ", StringComparison.Ordinal) && w.Contains("skipped, never opened", StringComparison.Ordinal)) == 1,
                $"one warning for {skipped} in:\n{string.Join("\n", result.Warnings)}");
        }
        Assert.DoesNotContain(result.Health.Units, u => u.File.Contains("pipe", StringComparison.Ordinal) && u.File != "osfmk/i386/user_pipe.c");
        Assert.Contains(result.Findings, f => f.File == "osfmk/i386/user_pipe.c" && f.RuleId == "x86.hlt");
        Assert.DoesNotContain(result.Findings, f => f.File.StartsWith("bsd/machine_root", StringComparison.Ordinal));
    }

    private static void WriteTable(string path, int megabytes, Random random, string head, string rowFormat, string tail)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new StreamWriter(path);
        writer.Write(head);
        var row = new StringBuilder();
        for (long written = 0; written < megabytes * 1024L * 1024L; written += row.Length)
        {
            row.Clear();
            for (var i = 0; i < 16; i++)
            {
                row.Append(i == 0 ? "" : ", ").Append($"0x{random.Next(256):x2}");
            }
            var line = string.Format(System.Globalization.CultureInfo.InvariantCulture, rowFormat, row);
            writer.Write(line);
        }
        writer.Write(tail);
    }

    private static ScanOutcome Scan(int seed, string root, string[] arches, string cache, Action<int, int>? progress)
    {
        ScanOutcome? outcome = null;
        var problem = Record.Exception(() => outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = root,
            Arches = [.. arches],
            Jobs = 2,
            IncludeUnits = true,
            CacheDirectory = cache,
            Progress = progress,
        }));
        Assert.True(problem is null, $"seed {seed}: {problem}");
        return outcome!;
    }

    /// <summary>Every unit accounted for, no finding outside the root, JSON and SARIF that parse, every format written.</summary>
    private static void AssertWholeResult(int seed, ScanResult result)
    {
        {
            var counts = result.Health.Counts;
            Assert.True(counts.Total == result.Health.Units.Length && counts.Total == counts.Parsed + counts.Failed,
                $"seed {seed}: {counts} for {result.Health.Units.Length} units");
            Assert.DoesNotContain(result.Findings, f => f.File.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(f.File));
            using (JsonDocument.Parse(ReportWriter.ToText(result, ReportFormat.Json)))
            using (JsonDocument.Parse(ReportWriter.ToText(result, ReportFormat.Sarif)))
            {
            }
            foreach (var format in new[] { ReportFormat.Text, ReportFormat.Markdown, ReportFormat.Html })
            {
                Assert.NotEmpty(ReportWriter.ToText(result, format));
            }
        }
    }

    /// <summary>10 to 30 files from the fixtures, mutated, plus this seed's share of the hostile cases.</summary>
    private static void Build(TempTree tree, Random random, string outside)
    {
        var count = random.Next(10, 31);
        for (var i = 0; i < count; i++)
        {
            var (name, _) = FuzzInputs.Fixtures[random.Next(FuzzInputs.Fixtures.Count)];
            var folder = Folders[random.Next(Folders.Length)];
            var path = Path.Combine(tree.Root, folder, $"{i}_{name}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, FuzzInputs.Mutate(random, FuzzInputs.Fixtures));
        }
        // A binary file named .c, and a header pair that includes itself in a cycle.
        tree.Write("osfmk/i386/binary.c", string.Empty);
        File.WriteAllBytes(Path.Combine(tree.Root, "osfmk/i386/binary.c"), FuzzInputs.RandomBytes(random, random.Next(1, 65536)));
        tree.Write("osfmk/i386/cycle_a.h", "#include \"cycle_b.h\"\nstatic inline void cycle_a(void) { __asm__ volatile(\"cli\"); }\n");
        tree.Write("osfmk/i386/cycle_b.h", "#include \"cycle_a.h\"\nstatic inline void cycle_b(void) { __asm__ volatile(\"sti\"); }\n");
        tree.Write("osfmk/i386/cycle.c", "#include \"cycle_a.h\"\r\nvoid cycle(void)\r\n{\r\n\tcycle_a();\r\n}\r\n");
        // A folder linked to its parent (a loop), a file linked out of the root, a folder linked out of the root.
        Directory.CreateDirectory(Path.Combine(tree.Root, "bsd"));
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "osfmk/i386/loop"), Path.Combine(tree.Root, "osfmk"));
        File.CreateSymbolicLink(Path.Combine(tree.Root, "bsd/stolen.c"), Path.Combine(outside, "stolen.c"));
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "outside"), outside);
        File.CreateSymbolicLink(Path.Combine(tree.Root, "osfmk/dangling.c"), Path.Combine(outside, "never-there.c"));
    }

    /// <summary>Every entry under ROOT without following links: a file's bytes, a link's target, a folder's name.</summary>
    private static string Hash(string root)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var pending = new Stack<string>([root]);
        var entries = new List<string>();
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                entries.Add(entry.FullName);
                if (entry.LinkTarget is null && entry is DirectoryInfo)
                {
                    pending.Push(entry.FullName);
                }
            }
        }
        foreach (var path in entries.Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, path) + "\0"));
            if (info.LinkTarget is { } target)
            {
                sha.AppendData(Encoding.UTF8.GetBytes("-> " + target + "\0"));
            }
            else if (RegularFiles.KindOf(path) is not FileKind.Regular and not FileKind.Missing and not FileKind.Directory and var kind)
            {
                // A FIFO would block the read, a device never end: the entry's kind is its content.
                sha.AppendData(Encoding.UTF8.GetBytes("kind " + kind + "\0"));
            }
            else if (info.Exists)
            {
                sha.AppendData(File.ReadAllBytes(path));
                sha.AppendData(Encoding.UTF8.GetBytes($"\0{info.LastWriteTimeUtc.Ticks}\0"));
            }
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
