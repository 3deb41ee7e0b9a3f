using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>XNU's kernel configurations, in the order reports list them: what ships first, then the internal ones.</summary>
public static class KernelConfigurations
{
    public static readonly ImmutableArray<string> Names = ["RELEASE", "DEVELOPMENT", "DEBUG", "KASAN"];

    /// <summary>A configuration's place in <see cref="Names"/>; unknown names after them.</summary>
    public static int Rank(string name)
    {
        var index = Names.IndexOf(name);
        return index < 0 ? Names.Length : index;
    }
}
