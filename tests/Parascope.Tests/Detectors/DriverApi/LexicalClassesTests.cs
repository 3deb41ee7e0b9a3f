using Parascope.Detectors.DriverApi;

namespace Parascope.Tests.Detectors.DriverApi;

/// <summary>The lexical class scan reads text with comments and preprocessor lines blanked, offsets and lines kept.</summary>
public sealed class LexicalClassesTests
{
    [Fact]
    public void Comments_and_preprocessor_lines_become_spaces_and_every_newline_stays()
    {
        const string text = "#define OSDeclare(x) \\\n\tclass x : public OSObject {\n/* class Old : public IOService {\n */ class IOWidget : public IOService { // class Not : public X {\n};\n";

        var blanked = LexicalClasses.Blanked(text);

        Assert.Equal(text.Length, blanked.Length);
        Assert.Equal(text.Count(c => c == '\n'), blanked.Count(c => c == '\n'));
        Assert.Equal("class IOWidget : public IOService {", blanked.Split('\n')[3].Trim());
        Assert.All(blanked.Split('\n').Where((_, line) => line != 3 && line != 4), line => Assert.True(string.IsNullOrWhiteSpace(line), line));
        Assert.Same("int x;\n", LexicalClasses.Blanked("int x;\n"));
    }
}
