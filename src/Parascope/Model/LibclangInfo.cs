namespace Parascope.Model;

/// <summary>
/// The libclang a scan parsed with. Findings depend on it (docs/libclang.md), so every report names it.
/// <paramref name="Version"/> is clang_getClangVersion's text ("clang version 22.1.8 (…)"); <paramref name="Origin"/>
/// is "bundled" for the tool's own copy, else the path or name it was loaded by (PARASCOPE_LIBCLANG, a system library).
/// </summary>
public sealed record LibclangInfo(string Version, string Origin)
{
    /// <summary>"clang version 22.1.8 (…), bundled": one phrase for the text, markdown and HTML headers.</summary>
    public string Describe() => $"{Version}, {Origin}";
}
