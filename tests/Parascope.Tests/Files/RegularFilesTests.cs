using System.Text;
using Parascope.Files;
using Xunit;

namespace Parascope.Tests.Files;

public sealed class RegularFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("parascope-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Byte sequences a tree's sources hold or might: marks of every encoding the reader detects, broken UTF-8.</summary>
    public static TheoryData<string, byte[]> Contents() => new()
    {
        { "empty", [] },
        { "ascii", "#include <mach/mach_types.h>\nint x;\r\n"u8.ToArray() },
        { "utf-8 with a mark", [0xEF, 0xBB, 0xBF, .. "/* caf\u00e9 */\n"u8] },
        { "a mark alone", [0xEF, 0xBB, 0xBF] },
        { "utf-8 without a mark", "/* \u00a9 Apple \u2014 2006 */"u8.ToArray() },
        { "latin-1 bytes (invalid utf-8)", [0x2F, 0x2A, 0x20, 0xA9, 0x20, 0xE9, 0x74, 0xE9, 0x2A, 0x2F, 0x0A] },
        { "a truncated sequence at the end", [0x61, 0xE2, 0x80] },
        { "utf-16 le with a mark", [0xFF, 0xFE, 0x69, 0x00, 0x6E, 0x00, 0x74, 0x00] },
        { "utf-16 be with a mark", [0xFE, 0xFF, 0x00, 0x69, 0x00, 0x6E, 0x00, 0x74] },
        { "utf-32 le with a mark", [0xFF, 0xFE, 0x00, 0x00, 0x69, 0x00, 0x00, 0x00] },
        { "utf-32 be with a mark", [0x00, 0x00, 0xFE, 0xFF, 0x00, 0x00, 0x00, 0x69] },
        { "a lone 0xFF then text", [0xFF, 0x61, 0x62] },
        { "nul bytes first", [0x00, 0x00, 0x61] },
        { "longer than one read buffer", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("#define PMAP_\u00e9 1 /* x */\n", 20_000))) },
    };

    [Theory]
    [MemberData(nameof(Contents))]
    public void Reading_a_file_gives_the_string_File_ReadAllText_gives(string name, byte[] content)
    {
        var path = Path.Combine(_folder, "f.h");
        File.WriteAllBytes(path, content);

        Assert.True(File.ReadAllText(path) == RegularFiles.ReadAllText(path), name);
    }

    [Fact]
    public void Reading_a_missing_file_throws_as_File_ReadAllText_does()
    {
        Assert.Throws<FileNotFoundException>(() => RegularFiles.ReadAllText(Path.Combine(_folder, "absent.h")));
    }
}
