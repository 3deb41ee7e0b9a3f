using System.Diagnostics;
using Parascope.Caching;
using Parascope.Detectors.PageTables;
using Parascope.Facts;
using Parascope.Files;
using Parascope.Model;
using Parascope.Parsing;

// Micro-benchmarks of the steps a scan repeats for every unit or file, on real inputs, one thread, per round (the
// first round is the JIT's). Run by hand: dotnet run -c Release --project bench/micro -- MODE PATH [ROUNDS]
//   decode CACHE_FOLDER   every unit-facts entry of a result cache, as a re-scan's look-ups read them
//   lex TREE              the page-table lexical scan of every .c and .h file under TREE
//   asm TREE              the instruction detector's lexical scan (inline asm, asm macros, builtins) of the same files
//   sfiles TREE           the assembly scan (AssemblySourceScanner) of every .s file under TREE, as the unread files' sweep makes it
//   stores CACHE_FOLDER   every kept store (lexical scans, configuration groups) of a result cache, read as a re-scan reads them
//   read TREE             every file under TREE read as text by File.ReadAllText and by RegularFiles.ReadAllText (the
//                         strings compared: a difference is printed and fails the run)
//   list TREE             the tree's listing as a scan takes it (FileInventory.Of: every entry, each one's kind)
if (args.Length < 2 || args[0] is not ("decode" or "lex" or "asm" or "sfiles" or "stores" or "read" or "list") || !Directory.Exists(args[1]))
{
    Console.Error.WriteLine("usage: Micro decode CACHE_FOLDER [ROUNDS] | Micro lex TREE [ROUNDS] | Micro asm TREE [ROUNDS] | Micro sfiles TREE [ROUNDS] | Micro stores CACHE_FOLDER [ROUNDS] | Micro read TREE [ROUNDS] | Micro list TREE [ROUNDS]");
    return 2;
}
var rounds = args.Length > 2 ? int.Parse(args[2]) : 5;
return args[0] switch
{
    "decode" => Decode(args[1], rounds),
    "lex" => Lex(args[1], rounds),
    "stores" => Stores(args[1], rounds),
    "read" => Read(args[1], rounds),
    "list" => List(args[1], rounds),
    "sfiles" => AssemblyFiles(args[1], rounds),
    _ => Asm(args[1], rounds),
};

static List<string> SourceTexts(string tree) =>
    Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".c", StringComparison.Ordinal) || f.EndsWith(".h", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

static int Decode(string folder, int rounds)
{
    var files = Directory.EnumerateFiles(Path.Combine(folder, "results"), "*.facts", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
    var unit = new SourceUnit { Path = "/x.c", RelativePath = "x.c", Language = SourceLanguage.C, Arch = "x86_64" };
    Console.WriteLine($"{files.Count} entries, {rounds} rounds");
    Console.WriteLine("round  read ms  inflate ms  decode ms  to-unit ms  allocated MB");
    for (var round = 0; round < rounds; round++)
    {
        var clock = Stopwatch.StartNew();
        var frames = files.Select(File.ReadAllBytes).ToList();
        var read = clock.Elapsed.TotalMilliseconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        clock.Restart();
        long inflatedBytes = 0;
        foreach (var frame in frames)
        {
            inflatedBytes += Frame.Read(frame, "PSCF"u8, UnitFactsCodec.Version)?.Length ?? 0;
        }
        var inflate = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        // One table of strings for the round, as a scan has one for the units it parses together.
        var strings = new SharedStrings();
        var records = frames.Select(frame => UnitFactsCodec.Decode(frame, strings)).ToList();
        var decode = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var units = records.Count(r => r?.ToParsedUnit(unit) is not null);
        var toUnit = clock.Elapsed.TotalMilliseconds;
        var megabytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
        Console.WriteLine($"{round,5}  {read,7:F0}  {inflate,10:F0}  {decode,9:F0}  {toUnit,10:F0}  {megabytes,12:F0}   ({units} units, {inflatedBytes / 1e6:F0} MB of JSON)");
    }
    return 0;
}

static int Read(string tree, int rounds)
{
    var files = Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories).Where(RegularFiles.Exists).Order(StringComparer.Ordinal).ToList();
    var differ = files.Where(f => File.ReadAllText(f) != RegularFiles.ReadAllText(f)).ToList();
    foreach (var file in differ)
    {
        Console.WriteLine($"differs: {file}");
    }
    Console.WriteLine($"{files.Count} files, {differ.Count} read differently, {rounds} rounds (the files in the page cache after the first)");
    Console.WriteLine("round  File.ReadAllText ms  RegularFiles.ReadAllText ms  characters");
    for (var round = 0; round < rounds; round++)
    {
        var clock = Stopwatch.StartNew();
        var system = files.Sum(f => (long)File.ReadAllText(f).Length);
        var systemMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var ours = files.Sum(f => (long)RegularFiles.ReadAllText(f).Length);
        var oursMs = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine($"{round,5}  {systemMs,19:F0}  {oursMs,27:F0}  {ours} ({(ours == system ? "equal" : "DIFFERENT")})");
    }
    return differ.Count == 0 ? 0 : 1;
}

static int Stores(string folder, int rounds)
{
    var files = Directory.EnumerateFiles(Path.Combine(folder, "results"), "*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(LexicalScanStore.Extension, StringComparison.Ordinal) || f.EndsWith(ConfigurationGroupStore.Extension, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal).ToList();
    Console.WriteLine($"{files.Count} stores, {rounds} rounds");
    Console.WriteLine("round  lexical ms  groups ms  allocated MB");
    for (var round = 0; round < rounds; round++)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var lexical = files.Where(f => f.EndsWith(LexicalScanStore.Extension, StringComparison.Ordinal))
            .Count(f => KeptFile.Read(f, "PSLX"u8, LexicalScanStore.Version, LexicalScanJson.Default.LexicalScanFile, file => file) is not null);
        var lexicalMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var groups = files.Where(f => f.EndsWith(ConfigurationGroupStore.Extension, StringComparison.Ordinal))
            .Count(f => KeptFile.Read(f, "PSVG"u8, ConfigurationGroupStore.Version, ConfigurationGroupJson.Default.ListConfigurationGroupEntry, entries => entries,
                new SharedStrings()) is not null);
        var groupsMs = clock.Elapsed.TotalMilliseconds;
        var megabytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
        Console.WriteLine($"{round,5}  {lexicalMs,10:F0}  {groupsMs,9:F0}  {megabytes,12:F0}   ({lexical} lexical, {groups} group stores read)");
    }
    return 0;
}

static int Lex(string tree, int rounds)
{
    // The rules' names matter little to the scan's cost: a few of the built-in page-table rules'.
    var helpers = new NameSet(["pmap_store_pte", "pte_store", "write_pte"]);
    var atomics = new NameSet(["pmap_update_pte", "os_atomic_store"]);
    var bulk = new NameSet(["bzero", "memset"]);
    return ScanRounds(tree, rounds, ("candidates", "declarations"), text =>
    {
        var scan = LexicalPageTableScanner.Scan(text, helpers, atomics, bulk);
        return (scan.Candidates.Length, scan.Declarations.Length);
    });
}

static int Asm(string tree, int rounds)
{
    // A few of rules/builtins.yaml's names: with any, every file that writes "__" is scanned for calls too.
    var builtins = new HashSet<string>(["__builtin_ia32_rdmsr", "__cpuid", "__builtin_arm_wsr64", "__builtin_arm_rsr64"], StringComparer.Ordinal);
    return ScanRounds(tree, rounds, ("statements", "calls"), text =>
    {
        var scan = Parascope.Detectors.Instructions.CSourceScanner.Scan(text, builtins);
        return (scan.Statements.Length, scan.Calls.Length);
    });
}

static int AssemblyFiles(string tree, int rounds)
{
    var texts = Directory.EnumerateFiles(tree, "*.s", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
    var defines = new Dictionary<string, string>(StringComparer.Ordinal);
    Console.WriteLine($"{texts.Count} files, {texts.Sum(t => (long)t.Length) / 1e6:F1} M characters, {rounds} rounds");
    Console.WriteLine("round  scan ms  statements  allocated MB");
    for (var round = 0; round < rounds; round++)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long statements = 0;
        foreach (var text in texts)
        {
            statements += Parascope.Detectors.Instructions.AssemblySourceScanner.Scan(text, InstructionFamily.X86, defines).Count();
        }
        Console.WriteLine($"{round,5}  {clock.Elapsed.TotalMilliseconds,7:F0}  {statements,10}  {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6,12:F0}");
    }
    return 0;
}

// Times SCAN over every .c and .h file of TREE per round, with two counts of what it found (the same every round).
static int ScanRounds(string tree, int rounds, (string First, string Second) counted, Func<string, (int, int)> scan)
{
    var texts = SourceTexts(tree);
    Console.WriteLine($"{texts.Count} files, {texts.Sum(t => (long)t.Length) / 1e6:F0} M characters, {rounds} rounds");
    Console.WriteLine($"round  scan ms  {counted.First}  {counted.Second}");
    for (var round = 0; round < rounds; round++)
    {
        var clock = Stopwatch.StartNew();
        long first = 0, second = 0;
        foreach (var text in texts)
        {
            var (a, b) = scan(text);
            first += a;
            second += b;
        }
        Console.WriteLine($"{round,5}  {clock.Elapsed.TotalMilliseconds,7:F0}  {first,10}  {second,12}");
    }
    return 0;
}

static int List(string tree, int rounds)
{
    for (var round = 0; round < rounds; round++)
    {
        var clock = Stopwatch.StartNew();
        var files = Parascope.Discovery.FileInventory.Of(Path.GetFullPath(tree));
        Console.WriteLine($"round {round}: {files.RelativePaths.Length} files, {files.Skipped.Length} skipped, {clock.Elapsed.TotalMilliseconds:F1} ms");
    }
    return 0;
}
