using System.Globalization;
using System.Text;
using System.Xml;
using Parascope.Graph;
using Parascope.Model;

namespace Parascope.Reports.Graph;

/// <summary>The file formats a call graph is exported in.</summary>
public enum GraphFormat
{
    Dot,
    GraphMl,
}

/// <summary>
/// Graphviz DOT: one quoted node per function with its definition and site count, one edge per call; an assembly
/// edge says `kind="asm"`, an indirect one `kind="indirect"` and is drawn dashed; a direct call has no attribute.
/// </summary>
public static class DotGraphWriter
{
    public static string Write(CallGraphSlice slice)
    {
        var text = new StringBuilder();
        text.Append("digraph callgraph {\n");
        text.Append("  node [shape=box];\n");
        foreach (var function in slice.Functions)
        {
            text.Append("  ").Append(Quote(function.Name)).Append(" [");
            text.Append("sites=").Append(function.Sites.ToString(CultureInfo.InvariantCulture));
            if (function.File is not null)
            {
                text.Append(", file=").Append(Quote(function.File));
                text.Append(", line=").Append(function.Line!.Value.ToString(CultureInfo.InvariantCulture));
            }
            if (function.Sites > 0)
            {
                // A function holding privileged sites stands out when the graph is rendered.
                text.Append(", style=bold");
            }
            text.Append("];\n");
        }
        foreach (var (caller, callee, kind) in slice.Calls)
        {
            text.Append("  ").Append(Quote(caller)).Append(" -> ").Append(Quote(callee));
            _ = kind switch
            {
                CallKind.Asm => text.Append(" [kind=\"asm\"]"),
                CallKind.Indirect => text.Append(" [kind=\"indirect\", style=dashed]"),
                _ => text,
            };
            text.Append(";\n");
        }
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>A DOT double-quoted ID: backslash and quote escaped, line breaks written as \n.</summary>
    internal static string Quote(string id)
    {
        var text = new StringBuilder(id.Length + 2).Append('"');
        foreach (var c in id)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text,
                _ => text.Append(c),
            };
        }
        return text.Append('"').ToString();
    }
}

/// <summary>
/// GraphML (http://graphml.graphdrawing.org/): node ids are the function names, escaped by the XML writer; each edge
/// has a `kind` (direct, asm, indirect).
/// </summary>
public static class GraphMlWriter
{
    private const string Namespace = "http://graphml.graphdrawing.org/xmlns";

    public static string Write(CallGraphSlice slice)
    {
        var buffer = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", Encoding = new UTF8Encoding(false) };
        using (var xml = XmlWriter.Create(new Utf8StringWriter(buffer), settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("graphml", Namespace);
            Key(xml, "file", "string");
            Key(xml, "line", "int");
            Key(xml, "sites", "int");
            Key(xml, "kind", "string", "edge");
            xml.WriteStartElement("graph", Namespace);
            xml.WriteAttributeString("id", "callgraph");
            xml.WriteAttributeString("edgedefault", "directed");
            foreach (var function in slice.Functions)
            {
                xml.WriteStartElement("node", Namespace);
                xml.WriteAttributeString("id", XmlSafe(function.Name));
                if (function.File is not null)
                {
                    Data(xml, "file", XmlSafe(function.File));
                    Data(xml, "line", function.Line!.Value.ToString(CultureInfo.InvariantCulture));
                }
                Data(xml, "sites", function.Sites.ToString(CultureInfo.InvariantCulture));
                xml.WriteEndElement();
            }
            foreach (var (caller, callee, kind) in slice.Calls)
            {
                xml.WriteStartElement("edge", Namespace);
                xml.WriteAttributeString("source", XmlSafe(caller));
                xml.WriteAttributeString("target", XmlSafe(callee));
                Data(xml, "kind", kind.Name());
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return buffer.Append('\n').ToString();
    }

    private static void Key(XmlWriter xml, string name, string type, string domain = "node")
    {
        xml.WriteStartElement("key", Namespace);
        xml.WriteAttributeString("id", name);
        xml.WriteAttributeString("for", domain);
        xml.WriteAttributeString("attr.name", name);
        xml.WriteAttributeString("attr.type", type);
        xml.WriteEndElement();
    }

    private static void Data(XmlWriter xml, string key, string value)
    {
        xml.WriteStartElement("data", Namespace);
        xml.WriteAttributeString("key", key);
        xml.WriteString(value);
        xml.WriteEndElement();
    }

    /// <summary>XML 1.0 cannot hold control characters even escaped; a name never should, but a file path might.</summary>
    private static string XmlSafe(string text) =>
        text.All(XmlConvert.IsXmlChar) ? text : new string(text.Select(c => XmlConvert.IsXmlChar(c) ? c : '\uFFFD').ToArray());

    /// <summary>A StringWriter that declares UTF-8, so the XML declaration says what the file will be.</summary>
    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
