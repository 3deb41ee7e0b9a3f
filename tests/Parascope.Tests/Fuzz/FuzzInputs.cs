using System.Text;
using Parascope.Rules;

namespace Parascope.Tests.Fuzz;

/// <summary>
/// Generated inputs for the fuzz suite, from fixed seeds so that a failure reproduces: the failing seed is in the
/// assertion message. A short run by default (CI); PARASCOPE_FUZZ_ITERATIONS=N runs N inputs per target instead.
/// </summary>
public static class FuzzInputs
{
    public const int FirstSeed = 19_000;

    /// <summary>
    /// Inputs per target: PARASCOPE_FUZZ_ITERATIONS divided by COST (a whole-tree scan costs as much as many small
    /// inputs), never fewer than SHORT; SHORT when the variable is unset.
    /// </summary>
    public static int Iterations(int shortRun, int cost = 1) =>
        int.TryParse(Environment.GetEnvironmentVariable("PARASCOPE_FUZZ_ITERATIONS"), out var asked) && asked > 0
            ? Math.Max(shortRun, asked / cost)
            : shortRun;

    public static IEnumerable<int> Seeds(int shortRun, int cost = 1) => Enumerable.Range(FirstSeed, Iterations(shortRun, cost));

    private static readonly Lazy<IReadOnlyList<(string Name, byte[] Bytes)>> FixtureFiles = new(() =>
        [.. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".c", StringComparison.Ordinal) || path.EndsWith(".cpp", StringComparison.Ordinal)
                           || path.EndsWith(".h", StringComparison.Ordinal) || path.EndsWith(".s", StringComparison.Ordinal)
                           || path.EndsWith(".S", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), File.ReadAllBytes(path)))]);

    /// <summary>Every C, C++, header and assembly file of the test fixtures (original code in XNU's style).</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Fixtures => FixtureFiles.Value;

    public static IReadOnlyList<(string Name, byte[] Bytes)> AssemblyFixtures =>
        [.. Fixtures.Where(f => f.Name.EndsWith(".s", StringComparison.Ordinal) || f.Name.EndsWith(".S", StringComparison.Ordinal))];

    private static readonly Lazy<IReadOnlyList<(string Name, byte[] Bytes)>> RuleFiles = new(() =>
    {
        var assembly = typeof(RuleLoader).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith("rules/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return (name, copy.ToArray());
            })];
    });

    /// <summary>The built-in rule files, as the engine embeds them.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Rules => RuleFiles.Value;

    /// <summary>
    /// One mutation of a pick from CORPUS: random bytes, a truncation, a splice of two files, bytes flipped or
    /// inserted, invalid UTF-8, CRLF line ends, lines shuffled or repeated, or the file unchanged.
    /// </summary>
    public static byte[] Mutate(Random random, IReadOnlyList<(string Name, byte[] Bytes)> corpus)
    {
        var source = corpus[random.Next(corpus.Count)].Bytes;
        switch (random.Next(10))
        {
            case 0:
                return RandomBytes(random, random.Next(0, 4096));
            case 1:
                return source[..random.Next(source.Length + 1)];
            case 2:
                {
                    var other = corpus[random.Next(corpus.Count)].Bytes;
                    return [.. source[..random.Next(source.Length + 1)], .. other[random.Next(other.Length + 1)..]];
                }
            case 3:
                {
                    var copy = (byte[])source.Clone();
                    for (var i = 0; i < 1 + copy.Length / 50 && copy.Length > 0; i++)
                    {
                        copy[random.Next(copy.Length)] = (byte)random.Next(256);
                    }
                    return copy;
                }
            case 4:
                {
                    // Invalid UTF-8: lone continuation bytes, an overlong form, a cut multi-byte sequence, a NUL.
                    var at = random.Next(source.Length + 1);
                    byte[] bad = [0x80, 0xC0, 0xAF, 0xE2, 0x82, 0x00, 0xFF, 0xFE];
                    return [.. source[..at], .. bad, .. source[at..]];
                }
            case 5:
                return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(source).Replace("\n", "\r\n", StringComparison.Ordinal));
            case 6:
                {
                    var lines = Encoding.UTF8.GetString(source).Split('\n');
                    random.Shuffle(lines);
                    return Encoding.UTF8.GetBytes(string.Join('\n', lines));
                }
            case 7:
                {
                    var lines = Encoding.UTF8.GetString(source).Split('\n').ToList();
                    var at = random.Next(lines.Count);
                    var repeated = Enumerable.Repeat(lines[at], random.Next(1, 200));
                    lines.InsertRange(at, repeated);
                    return Encoding.UTF8.GetBytes(string.Join('\n', lines));
                }
            case 8:
                {
                    var at = random.Next(source.Length + 1);
                    return [.. source[..at], .. RandomBytes(random, random.Next(1, 64)), .. source[at..]];
                }
            default:
                return source;
        }
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Text for APIs that take a string: the bytes decoded leniently, as the engine's readers do.</summary>
    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
