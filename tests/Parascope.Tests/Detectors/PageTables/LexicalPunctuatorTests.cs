using Parascope.Detectors.PageTables;

namespace Parascope.Tests.Detectors.PageTables;

/// <summary>
/// The page-table lexer splits punctuation by looking at the next two characters; the list of punctuators is the
/// specification. Every text of up to three characters from C's punctuation must split as the longest listed
/// punctuator at its start (else one character) says.
/// </summary>
public sealed class LexicalPunctuatorTests
{
    private const string Punctuation = "<>=!+-*/%&|^.:;,?~()[]{}#a";

    [Fact]
    public void Every_short_run_of_punctuation_splits_at_the_longest_listed_punctuator()
    {
        var checkedTexts = 0;
        foreach (var a in Punctuation)
        {
            foreach (var b in Punctuation.Append('\0'))
            {
                foreach (var c in Punctuation.Append('\0'))
                {
                    var text = string.Concat(new[] { a, b, c }.TakeWhile(ch => ch != '\0'));
                    var expected = LexicalPageTableScanner.Punctuators.Where(p => text.StartsWith(p, StringComparison.Ordinal))
                        .Select(p => p.Length).DefaultIfEmpty(1).Max();
                    Assert.True(expected == LexicalPageTableScanner.PunctuatorLength(text, 0), $"'{text}': {expected} expected");
                    checkedTexts++;
                }
            }
        }
        Assert.True(checkedTexts > 15_000);
    }
}
