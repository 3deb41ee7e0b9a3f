using System.Xml.Linq;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Reports.Graph;

namespace Parascope.Tests.Reports.Graph;

public sealed class GraphWritersTests
{
    private static readonly CallGraphSlice Awkward = new(
        [
            new GraphFunction("operator<<", "a&b/\"x\".cpp", 3, 2),
            new GraphFunction("say \"hi\"\\now", null, null, 0),
        ],
        [new GraphCall("operator<<", "say \"hi\"\\now", CallKind.Direct)]);

    [Fact]
    public void Dot_quotes_and_escapes_every_id()
    {
        var dot = DotGraphWriter.Write(Awkward);
        Assert.Contains("\"say \\\"hi\\\"\\\\now\" [sites=0];", dot);
        Assert.Contains("\"operator<<\" -> \"say \\\"hi\\\"\\\\now\";", dot);
        Assert.Contains("file=\"a&b/\\\"x\\\".cpp\"", dot);
    }

    [Fact]
    public void GraphMl_is_well_formed_xml_that_keeps_the_names()
    {
        var document = XDocument.Parse(GraphMlWriter.Write(Awkward));
        XNamespace ns = "http://graphml.graphdrawing.org/xmlns";
        Assert.Equal(["operator<<", "say \"hi\"\\now"], document.Descendants(ns + "node").Select(n => (string)n.Attribute("id")!));
        var edge = Assert.Single(document.Descendants(ns + "edge"));
        Assert.Equal("say \"hi\"\\now", (string)edge.Attribute("target")!);
        Assert.Equal("a&b/\"x\".cpp", document.Descendants(ns + "data").First(d => (string)d.Attribute("key")! == "file").Value);
    }

    [Fact]
    public void The_same_slice_gives_the_same_bytes()
    {
        Assert.Equal(GraphMlWriter.Write(Awkward), GraphMlWriter.Write(Awkward));
        Assert.Equal(DotGraphWriter.Write(Awkward), DotGraphWriter.Write(Awkward));
    }
}
