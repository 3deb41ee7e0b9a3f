using System.Text;
using Parascope.Results;
using Parascope.Tests.Reports;

namespace Parascope.Tests.Results;

/// <summary>A `parascope:ignore` marker in the source file of a finding, whatever encoding the file is written in.</summary>
public sealed class InlineSuppressionTests
{
    private const string Source = "void idle_mini(void)\n{\n\t__asm__ volatile(\"hlt\"); /* parascope:ignore x86.hlt the idle loop */\n}\n";

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-8 with a byte order mark")]
    [InlineData("utf-16")]
    [InlineData("utf-16 big-endian")]
    [InlineData("utf-32")]
    public void A_marker_on_the_line_of_a_finding_suppresses_it(string encoding)
    {
        using var tree = new TempTree();
        var path = tree.Write("osfmk/i386/idle.c", "");
        File.WriteAllBytes(path, encoding switch
        {
            "utf-8" => Encoding.UTF8.GetBytes(Source),
            "utf-8 with a byte order mark" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Source)],
            "utf-16" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Source)],
            "utf-16 big-endian" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(Source)],
            _ => [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(Source)],
        });
        var result = ConstructedResults.Result([ConstructedResults.Finding("x86.hlt", "osfmk/i386/idle.c", 3, "idle_mini")]) with { Root = tree.Root };

        var applied = Suppressions.Apply(result, []);

        Assert.Empty(applied.Findings);
        Assert.Equal("the idle loop", Assert.Single(applied.Suppressed).Suppression);
    }

    [Fact]
    public void A_file_without_the_marker_suppresses_nothing()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle.c", Source.Replace("parascope:ignore", "parascope-ignore", StringComparison.Ordinal));
        var result = ConstructedResults.Result([ConstructedResults.Finding("x86.hlt", "osfmk/i386/idle.c", 3, "idle_mini")]) with { Root = tree.Root };

        Assert.Single(Suppressions.Apply(result, []).Findings);
    }
}
