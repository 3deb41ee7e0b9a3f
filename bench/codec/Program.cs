using System.Diagnostics;
using Parascope.Facts;
using Parascope.Model;
using Parascope.Parsing;

// Decodes every unit-facts entry under a result cache folder, as a re-scan's look-ups do, and times each step:
// reading the files, inflating and checking the frames, decoding the records, and turning them into parsed units.
// Usage: dotnet run -c Release --project bench/codec -- CACHE_FOLDER [ROUNDS]
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: FactsDecode CACHE_FOLDER [ROUNDS]");
    return 2;
}
var rounds = args.Length > 1 ? int.Parse(args[1]) : 5;
var files = Directory.EnumerateFiles(Path.Combine(args[0], "results"), "*.facts", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
var unit = new SourceUnit { Path = "/x.c", RelativePath = "x.c", Language = SourceLanguage.C, Arch = "x86_64" };
Console.WriteLine($"{files.Count} entries, {rounds} rounds (one thread; the first round is the JIT's)");
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
    var units = records.Count(r => r?.ToParsedUnit(unit, strings) is not null);
    var toUnit = clock.Elapsed.TotalMilliseconds;
    var megabytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
    Console.WriteLine($"{round,5}  {read,7:F0}  {inflate,10:F0}  {decode,9:F0}  {toUnit,10:F0}  {megabytes,12:F0}   ({units} units, {inflatedBytes / 1e6:F0} MB of JSON)");
}
return 0;
