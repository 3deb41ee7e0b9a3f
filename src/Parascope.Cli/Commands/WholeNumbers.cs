using System.CommandLine.Parsing;
using System.Globalization;

namespace Parascope.Cli.Commands;

/// <summary>
/// The parser of every whole-number option, so that `--jobs abc` reads `--jobs: 'abc' is not a number` rather than
/// the library's "expected type 'System.Int32'".
/// </summary>
internal static class WholeNumbers
{
    public static Func<ArgumentResult, int> Parser(string option, Func<int> fallback) => result =>
    {
        if (result.Tokens.Count == 0)
        {
            return fallback();
        }
        var text = result.Tokens[^1].Value;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        result.AddError($"{option}: '{text}' is not a number");
        return fallback();
    };
}
