using System.Text.RegularExpressions;

namespace Parascope.Discovery.Xnu;

/// <summary>Text-level facts about C-like sources that discovery reads without a parser (.defs, .iig, headers).</summary>
internal static partial class CSourceText
{
    /// <summary>A /* block */ or // line comment (string literals are not told apart: these sources have none that matter).</summary>
    [GeneratedRegex(@"/\*.*?\*/|//[^\n]*", RegexOptions.Singleline)]
    public static partial Regex Comment();
}
