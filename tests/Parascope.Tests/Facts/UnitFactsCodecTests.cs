using System.Collections.Immutable;
using System.Text;
using Parascope.Clang;
using Parascope.Facts;
using Parascope.Files;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Facts;

/// <summary>
/// The codec writes each path once and refers to it by index (UnitFactsWire): what comes back must be the unit as it
/// went in, field for field and in order, and bytes whose indexes do not fit are refused, not trusted.
/// </summary>
public sealed class UnitFactsCodecTests
{
    private static readonly SourceUnit Unit = new()
    {
        Path = "/tree/osfmk/i386/pmap.c",
        RelativePath = "osfmk/i386/pmap.c",
        Language = SourceLanguage.C,
        Arch = "x86_64",
    };

    private static ParsedUnit Parsed() => new()
    {
        Unit = Unit,
        Status = UnitStatus.WithErrors,
        Errors = [new ParseDiagnostic(DiagnosticLevel.Error, "unknown type name 'sptm_return_t'", "osfmk/i386/pmap.h", 12, 5)],
        IncludedFiles = ["osfmk/i386/pmap.c", "osfmk/i386/pmap.h"],
        Functions =
        [
            new FunctionSpan("osfmk/i386/pmap.c", 50, 90, "pmap_enter"),
            new FunctionSpan("osfmk/i386/pmap.c", 95, 99, "pmap_store_pte") { Node = "pmap_store_pte@osfmk/i386/pmap.c" },
            new FunctionSpan("osfmk/i386/pmap.h", 7, 9, "pte_to_pa"),
        ],
        Reached = [new ReachedFunction("osfmk/i386/pmap.h", "pte_to_pa", true), new ReachedFunction("osfmk/i386/pmap.h", "pa_to_pte", false)],
        Dependencies = ["/tree/osfmk/i386/pmap.c", "/tree/osfmk/i386/pmap.h", "/usr/lib/clang/14/include/stdint.h"],
        DurationMs = 1234,
    };

    [Fact]
    public void A_unit_comes_back_as_it_went_in()
    {
        var parsed = Parsed();
        var manifestDigest = new string('a', 64);

        var record = UnitFactsCodec.Decode(UnitFactsCodec.Encode(parsed, "key-1", manifestDigest)!)!;
        var back = record.ToParsedUnit(Unit)!;

        Assert.Equal("key-1", record.Key);
        Assert.Equal(manifestDigest, record.ManifestDigest);
        Assert.Equal(parsed.Status, back.Status);
        Assert.Equal(parsed.Errors.AsEnumerable(), back.Errors.AsEnumerable());
        Assert.Equal(parsed.IncludedFiles.AsEnumerable(), back.IncludedFiles.AsEnumerable());
        Assert.Equal(parsed.Functions.AsEnumerable(), back.Functions.AsEnumerable());
        Assert.Equal(["pmap_enter", "pmap_store_pte@osfmk/i386/pmap.c", "pte_to_pa"], back.Functions.Select(f => f.Node));
        Assert.Equal(parsed.Reached.AsEnumerable(), back.Reached.AsEnumerable());
        Assert.Equal(parsed.Dependencies.AsEnumerable(), back.Dependencies.AsEnumerable());
        Assert.Equal(parsed.DurationMs, back.DurationMs);
    }

    [Fact]
    public void Each_path_is_written_once()
    {
        var parsed = Parsed() with
        {
            Errors = [],
            Functions = [.. Enumerable.Range(1, 500).Select(i => new FunctionSpan("osfmk/i386/pmap.h", 10 * i, 10 * i + 5, $"pte_{i}"))],
        };

        var frame = UnitFactsCodec.Encode(parsed, "key-1", null, System.IO.Compression.CompressionLevel.NoCompression)!;
        var json = Encoding.UTF8.GetString(Frame.Read(frame, "PSCF"u8, UnitFactsCodec.Version)!.Value.Span);

        Assert.Equal(1, Occurrences(json, "\"osfmk/i386/pmap.h\""));
        Assert.Equal(500, UnitFactsCodec.Decode(frame)!.Functions.Length);
    }

    [Fact]
    public void Compiled_flags_and_call_edges_come_back_as_they_went_in_written_as_bits_and_rows()
    {
        var pageTables = new Parascope.Detectors.PageTables.PageTableFacts("x86_64", SourceContext.C, [], [], [])
        {
            LexicalUses = [new("osfmk/i386/pmap.h", [true, false, false, true]), new("osfmk/i386/pmap.c", [])],
        };
        var calls = new Parascope.Graph.CallFacts([new("pmap_enter", "pmap_store_pte@osfmk/i386/pmap.c", CallKind.Direct), new("pmap_enter", "ops.store", CallKind.Indirect)])
        {
            SlotStores = [("ops.store", "pmap_store_pte@osfmk/i386/pmap.c")],
        };
        var parsed = Parsed() with { Facts = [pageTables, calls] };

        var frame = UnitFactsCodec.Encode(parsed, "key-1", null, System.IO.Compression.CompressionLevel.NoCompression)!;
        var back = UnitFactsCodec.Decode(frame)!.ToParsedUnit(Unit)!;

        var uses = Assert.IsType<Parascope.Detectors.PageTables.PageTableFacts>(back.Facts[0]).LexicalUses;
        Assert.Equal([true, false, false, true], uses[0].Compiled.AsEnumerable());
        Assert.Empty(uses[1].Compiled);
        var edges = Assert.IsType<Parascope.Graph.CallFacts>(back.Facts[1]);
        Assert.Equal(calls.Calls.AsEnumerable(), edges.Calls.AsEnumerable());
        Assert.Equal(calls.SlotStores.AsEnumerable(), edges.SlotStores.AsEnumerable());
        var json = Encoding.UTF8.GetString(Frame.Read(frame, "PSCF"u8, UnitFactsCodec.Version)!.Value.Span);
        Assert.Contains("\"Compiled\":\"1001\"", json, StringComparison.Ordinal);
        Assert.Contains("[\"pmap_enter\",\"ops.store\",2]", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostics_macro_origins_and_wrapper_calls_come_back_as_they_went_in_written_as_rows()
    {
        var origin = new Parascope.Parsing.MacroOrigin("osfmk/i386/pmap.h", 40, 9, 21, "pmap_store_pte");
        var pageTables = new Parascope.Detectors.PageTables.PageTableFacts("x86_64", SourceContext.C,
            [new("pt.store", "osfmk/i386/pmap.c", 60, 3, 30, "pmap_enter", "store", "pte", true, origin),
             new("pt.store", "osfmk/i386/pmap.c", 70, 3, 30, null, "store", null, false)],
            [],
            [new WrapperCall("pmap_store_pte", "osfmk/i386/pmap.c", 80, "pmap_enter"), new WrapperCall("pmap_store_pte", "osfmk/i386/pmap.c", 3, null)]);
        var parsed = Parsed() with
        {
            Errors = [.. Parsed().Errors, new ParseDiagnostic(DiagnosticLevel.Fatal, "too many errors emitted", "", 0, 0)],
            Facts = [pageTables],
        };

        var frame = UnitFactsCodec.Encode(parsed, "key-1", null, System.IO.Compression.CompressionLevel.NoCompression)!;
        var back = UnitFactsCodec.Decode(frame)!.ToParsedUnit(Unit)!;

        Assert.Equal(parsed.Errors.AsEnumerable(), back.Errors.AsEnumerable());
        var facts = Assert.IsType<Parascope.Detectors.PageTables.PageTableFacts>(back.Facts[0]);
        Assert.Equal(pageTables.Sites.AsEnumerable(), facts.Sites.AsEnumerable());
        Assert.Equal(pageTables.Calls.AsEnumerable(), facts.Calls.AsEnumerable());
        var json = Encoding.UTF8.GetString(Frame.Read(frame, "PSCF"u8, UnitFactsCodec.Version)!.Value.Span);
        Assert.Contains("[4,\"too many errors emitted\",\"\",0,0]", json, StringComparison.Ordinal);
        Assert.Contains("[\"osfmk/i386/pmap.h\",40,9,21,\"pmap_store_pte\"]", json, StringComparison.Ordinal);
        Assert.Contains("[\"pmap_store_pte\",\"osfmk/i386/pmap.c\",3,null]", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Facts_packed_with_a_table_come_back_as_an_entry_keeps_them()
    {
        var driverApi = new Parascope.Detectors.DriverApi.DriverApiFacts(
            [
                new(Parascope.Detectors.DriverApi.DriverCallKind.Method, "iokit/Kernel/IOWidget.cpp", 40, 9, "IOWidget::start", "getPhysicalAddress",
                    "IOMemoryDescriptor", "WIDGET_MAP", true, false, new MacroOrigin("iokit/IOKit/IOWidget.h", 12, 5, 30, "WIDGET_MAP")),
                new(Parascope.Detectors.DriverApi.DriverCallKind.Function, "iokit/Kernel/IOWidget.cpp", 41, 3, null, "ml_phys_read", null, null, false, true),
            ],
            [new("IOWidget", ["IOService", "IOWidgetBase"], "iokit/IOKit/IOWidget.h", 20), new("OSObject", [], null, 0)],
            [new("IOWidget", "IOService", "iokit/Kernel/IOWidget.cpp", 8)]);
        var instructions = new Parascope.Detectors.Instructions.InstructionFacts(
            [new("osfmk/i386/proc_reg.h", [.. Enumerable.Range(0, 65).Select(i => i % 3 == 0)]) { CallsActive = [false, true] },
                new("osfmk/i386/pmap.h", [])],
            [new("osfmk/i386/proc_reg.h", "set_cr3", "osfmk/i386/pmap.c", 70) { Column = 4, Arguments = ["cr3"] }], [], []);
        var pageTables = new Parascope.Detectors.PageTables.PageTableFacts("x86_64", SourceContext.C, [], [], [])
        {
            LexicalUses = [new("osfmk/i386/pmap.h", [true, false, false, true]), new("osfmk/i386/pmap.c", [])],
        };
        var calls = new Parascope.Graph.CallFacts([new("pmap_enter", "pmap_store_pte@osfmk/i386/pmap.c", CallKind.Direct), new("pmap_enter", "ops.store", CallKind.Indirect)])
        {
            Bodies = [new("osfmk/i386/pmap.h", "pte_set", [new("pte_set", "pmap_store_pte@osfmk/i386/pmap.c", CallKind.Direct)]), new("osfmk/i386/pmap.h", "pte_get", [])],
            SlotStores = [("ops.store", "pmap_store_pte@osfmk/i386/pmap.c")],
            SlotCalls = [("pmap_enter", "ops.store"), ("pmap_remove", "ops.store")],
        };
        var parsed = Parsed() with { Facts = [driverApi, instructions, pageTables, calls] };
        var table = new LeanReading.TableWriter();

        var json = UnitFactsCodec.EncodeWith(table, parsed, "key-1", new string('a', 64))!;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            table.WriteStrings(writer);
        }
        var reader = new System.Text.Json.Utf8JsonReader(buffer.WrittenSpan);
        reader.Read();
        var back = UnitFactsCodec.DecodeWith(json, LeanReading.ReadStrings(ref reader))!.ToParsedUnit(Unit)!;

        // The entry's JSON (no table: each record as an object) of the unit read back from the pack is the original's.
        Assert.Equal(Entry(parsed), Entry(back));
        Assert.DoesNotContain("\"Bases\"", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        // Call edges and slot pairs packed as integers too (a string each), not arrays of rows.
        Assert.DoesNotContain("\"Calls\":[[", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.DoesNotContain("\"SlotStores\":[[", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
    }

    private static string Entry(ParsedUnit unit) => Encoding.UTF8.GetString(Frame.Read(
        UnitFactsCodec.Encode(unit, "key-1", null, System.IO.Compression.CompressionLevel.NoCompression)!, "PSCF"u8, UnitFactsCodec.Version)!.Value.Span);

    [Fact]
    public void Units_read_back_with_one_table_of_strings_share_their_paths_and_names()
    {
        var frame = UnitFactsCodec.Encode(Parsed(), "key-1", null);
        var strings = new SharedStrings();

        var first = UnitFactsCodec.Decode(frame!, strings)!.ToParsedUnit(Unit)!;
        var second = UnitFactsCodec.Decode(frame!, strings)!.ToParsedUnit(Unit)!;
        var alone = UnitFactsCodec.Decode(frame!)!.ToParsedUnit(Unit)!;

        Assert.Same(first.Functions[2].File, second.Functions[2].File);
        Assert.Same(first.Functions[2].Name, second.Functions[2].Name);
        Assert.Same(first.Errors[0].Message, second.Errors[0].Message);
        Assert.NotSame(first.Functions[2].File, alone.Functions[2].File);
        Assert.Equal(first.Functions.AsEnumerable(), alone.Functions.AsEnumerable());
    }

    [Fact]
    public void A_site_s_properties_come_back_with_their_keys_when_strings_are_shared()
    {
        // Dictionary keys go through the string reader as property names (xnu-11417's platform sites have them).
        var site = new Parascope.Detectors.Platform.PlatformSite("platform.cpuid", "osfmk/i386/cpuid.c", 10, 5, "cpuid_fn", "cpuid(0x15)", ["0x15"], null)
        {
            Properties = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("function", "cpuid_fn"), KeyValuePair.Create("leaf", "0x15")]),
        };
        var parsed = Parsed() with { Facts = [new Parascope.Detectors.Platform.PlatformFacts([site], [])] };
        var strings = new SharedStrings();

        var back = UnitFactsCodec.Decode(UnitFactsCodec.Encode(parsed, "key-1", null)!, strings)!.ToParsedUnit(Unit)!;

        var facts = Assert.IsType<Parascope.Detectors.Platform.PlatformFacts>(Assert.Single(back.Facts));
        Assert.Equal(site.Properties.AsEnumerable(), Assert.Single(facts.Sites).Properties.AsEnumerable());
    }

    [Fact]
    public void Long_and_escaped_strings_come_back_whole_when_shared()
    {
        // Longer than the stack buffer strings are read into; quotes, backslashes and non-ASCII are escaped in JSON.
        var longPath = "osfmk/" + new string('x', 2000) + ".h";
        const string escaped = "bsd/net/\"quoted\"\\dir/é\u2028.h";
        var parsed = Parsed() with
        {
            Errors = [new ParseDiagnostic(DiagnosticLevel.Error, "expected ';' after \"x\" — \t tab", escaped, 3, 1)],
            IncludedFiles = [longPath, escaped],
        };
        var strings = new SharedStrings();

        var back = UnitFactsCodec.Decode(UnitFactsCodec.Encode(parsed, "key-1", null)!, strings)!.ToParsedUnit(Unit)!;

        Assert.Equal(parsed.IncludedFiles.AsEnumerable(), back.IncludedFiles.AsEnumerable());
        Assert.Equal(parsed.Errors.AsEnumerable(), back.Errors.AsEnumerable());
    }

    [Theory]
    [InlineData("""{"Rest":{"Key":"k"},"Paths":["a.h"],"Included":[1]}""")]
    [InlineData("""{"Rest":{"Key":"k"},"Paths":["a.h"],"Functions":[0,2],"FunctionNames":["f"]}""")]
    [InlineData("""{"Rest":{"Key":"k"},"Paths":["a.h"],"Reached":[0],"ReachedNames":[]}""")]
    [InlineData("""{"Rest":{"Key":"k"},"Paths":["a.h"],"Functions":[0,1,2],"FunctionNames":["f"],"NodeSpans":[3],"Nodes":["f@a.h"]}""")]
    [InlineData("""{"Rest":{"Key":"k"},"Paths":[],"Dependencies":[0]}""")]
    [InlineData("""{"Paths":[]}""")]
    [InlineData("""{"Rest":{"Key":"k"},"Paths":null}""")]
    public void An_intact_frame_whose_indexes_do_not_fit_is_refused(string json)
    {
        var frame = Frame.Wrap("PSCF"u8, UnitFactsCodec.Version, Encoding.UTF8.GetBytes(json));

        Assert.Null(UnitFactsCodec.Decode(frame));
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
