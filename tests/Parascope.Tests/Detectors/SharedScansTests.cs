using Parascope.Detectors.PageTables;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Rules;

namespace Parascope.Tests.Detectors;

/// <summary>
/// The lexical scans of a file are made once per scan: the detectors a configuration or board group gets afresh read
/// the same texts and are given the scan the scan's own detector made, not a new one.
/// </summary>
public sealed class SharedScansTests
{
    private static UnitScope Scope(TempTree tree, SourceTexts texts) => new()
    {
        Unit = new SourceUnit { Path = Path.Combine(tree.Root, "osfmk/i386/pmap.c"), RelativePath = "osfmk/i386/pmap.c", Language = SourceLanguage.C, Arch = "x86_64" },
        Root = tree.Root,
        Texts = texts,
    };

    [Fact]
    public void Two_detectors_over_one_scans_texts_share_a_files_scan_and_another_scan_makes_its_own()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/pmap.c", "typedef unsigned long long pt_entry_t;\nvoid clear(pt_entry_t *p)\n{\n#if NEVER\n\t*p = 0;\n#endif\n}\n");
        var rules = PageTableRules.From(new RuleSet(RuleLoader.LoadBuiltIn().Rules));
        var texts = new SourceTexts();

        var first = new LexicalPageTableScans(rules).Get(Scope(tree, texts), "osfmk/i386/pmap.c");
        var group = new LexicalPageTableScans(PageTableRules.From(new RuleSet(RuleLoader.LoadBuiltIn().Rules))).Get(Scope(tree, texts), "osfmk/i386/pmap.c");
        var otherScan = new LexicalPageTableScans(rules).Get(Scope(tree, new SourceTexts()), "osfmk/i386/pmap.c");

        Assert.NotEmpty(first.Candidates);
        Assert.Same(first, group);
        Assert.NotSame(first, otherScan);
        Assert.Equal(first.Candidates.Select(c => c.Line), otherScan.Candidates.Select(c => c.Line));
    }
}
