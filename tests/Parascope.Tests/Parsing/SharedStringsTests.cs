using Parascope.Graph;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

/// <summary>Units parsed together keep one string per header path and function name, not a copy per unit.</summary>
public sealed class SharedStringsTests
{
    [Fact]
    public void Two_units_including_one_header_share_its_path_its_function_names_and_their_callees()
    {
        Assert.Null(Libclang.Load());
        using var tree = new TempTree();
        tree.Write("osfmk/kern/spl.h", "static inline int spl_level(int *l) { return *l; }\nint spl_raise(int level);\n");
        tree.Write("osfmk/kern/a.c", "#include \"spl.h\"\nint a_enter(int *l) { return spl_raise(spl_level(l)); }\n");
        tree.Write("osfmk/kern/b.c", "#include \"spl.h\"\nint b_enter(int *l) { return spl_raise(spl_level(l)); }\n");
        var strings = new SharedStrings();
        var texts = new SourceTexts();
        using var parser = new UnitParser([new CallGraphSource()], new FunctionReach());

        ParsedUnit Parse(string file, int rank) => parser.Parse(new UnitScope
        {
            Unit = new SourceUnit { Path = Path.Combine(tree.Root, file), RelativePath = file, Language = SourceLanguage.C, Arch = "x86_64" },
            Root = tree.Root,
            Texts = texts,
            Strings = strings,
            Rank = rank,
        });
        var a = Parse("osfmk/kern/a.c", 0);
        var b = Parse("osfmk/kern/b.c", 1);

        Assert.Equal(UnitStatus.Clean, a.Status);
        Assert.Equal(UnitStatus.Clean, b.Status);
        Assert.Same(a.IncludedFiles.Single(f => f.EndsWith("spl.h", StringComparison.Ordinal)),
            b.IncludedFiles.Single(f => f.EndsWith("spl.h", StringComparison.Ordinal)));
        Assert.Same(a.Dependencies.Single(f => f.EndsWith("spl.h", StringComparison.Ordinal)),
            b.Dependencies.Single(f => f.EndsWith("spl.h", StringComparison.Ordinal)));
        Assert.Same(a.Reached.Single().File, b.Reached.Single().File);
        Assert.Same(a.Reached.Single().Function, b.Reached.Single().Function);
        Assert.Same(Callee(a, "spl_raise"), Callee(b, "spl_raise"));
    }

    private static string Callee(ParsedUnit unit, string name) =>
        unit.Facts.OfType<CallFacts>().Single().Calls.Select(c => c.Callee).Single(c => c == name);
}
