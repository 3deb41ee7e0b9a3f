using Parascope.Detectors.DriverApi;
using Parascope.Detectors.Instructions;
using Parascope.Detectors.PageTables;
using Parascope.Files;
using Parascope.Parsing;

namespace Parascope.Facts;

// The facts a unit holds by the thousand, packed as integers when the pack writes them with its table
// (LeanReading.PackedRecordsConverter; an entry of one unit keeps their JSON). The pack of xnu-11417 x86_64 held 60,837
// classes (each unit's view of the IOKit hierarchy its headers declare), 20,251 lexical uses, 12,659 file uses and 9,089
// macro uses as objects: most of what reading the units back parsed. A member added to one of these records must be added here.

/// <summary>A class and its bases: [name, bases, file, line].</summary>
internal sealed class PackedClassFacts : LeanReading.PackedRecordsConverter<ClassFact>
{
    protected override void Pack(LeanReading.RecordPacker record, ClassFact value)
    {
        record.String(value.Name);
        record.Strings(value.Bases);
        record.String(value.File);
        record.Int(value.Line);
    }

    protected override ClassFact Unpack(ref LeanReading.RowUnpacker record) =>
        new(record.String(), record.Strings(), record.NullableString(), record.Int());
}

/// <summary>A file's statements a unit compiled: [file, active flags, calls' active flags].</summary>
internal sealed class PackedFileUses : LeanReading.PackedRecordsConverter<FileUse>
{
    protected override void Pack(LeanReading.RecordPacker record, FileUse value)
    {
        record.String(value.File);
        record.Bits(value.Active);
        record.Bits(value.CallsActive);
    }

    protected override FileUse Unpack(ref LeanReading.RowUnpacker record) =>
        new(record.String(), record.Bits()) { CallsActive = record.Bits() };
}

/// <summary>A macro's expansion: [macro file, macro, file, line, column, arguments].</summary>
internal sealed class PackedMacroUses : LeanReading.PackedRecordsConverter<MacroUse>
{
    protected override void Pack(LeanReading.RecordPacker record, MacroUse value)
    {
        record.String(value.MacroFile);
        record.String(value.Macro);
        record.String(value.File);
        record.Int(value.Line);
        record.Int(value.Column);
        record.Strings(value.Arguments);
    }

    protected override MacroUse Unpack(ref LeanReading.RowUnpacker record) =>
        new(record.String(), record.String(), record.String(), record.Int()) { Column = record.Int(), Arguments = record.Strings() };
}

/// <summary>A file's lexical store candidates a unit compiled: [file, flags].</summary>
internal sealed class PackedLexicalUses : LeanReading.PackedRecordsConverter<LexicalUse>
{
    protected override void Pack(LeanReading.RecordPacker record, LexicalUse value)
    {
        record.String(value.File);
        record.Bits(value.Compiled);
    }

    protected override LexicalUse Unpack(ref LeanReading.RowUnpacker record) => new(record.String(), record.Bits());
}

/// <summary>A driver call: its members in the record's order, the macro origin last (a flag, then its members).</summary>
internal sealed class PackedDriverCalls : LeanReading.PackedRecordsConverter<DriverCall>
{
    protected override void Pack(LeanReading.RecordPacker record, DriverCall value)
    {
        record.Int((int)value.Kind);
        record.String(value.File);
        record.Int(value.Line);
        record.Int(value.Column);
        record.String(value.Function);
        record.String(value.Callee);
        record.String(value.Class);
        record.String(value.Macro);
        record.Bool(value.Virtual);
        record.Bool(value.Static);
        record.Bool(value.Origin is not null);
        if (value.Origin is { } origin)
        {
            record.String(origin.File);
            record.Int(origin.Line);
            record.Int(origin.Column);
            record.Int(origin.EndColumn);
            record.String(origin.Macro);
        }
    }

    protected override DriverCall Unpack(ref LeanReading.RowUnpacker record) =>
        new((DriverCallKind)record.Int(), record.String(), record.Int(), record.Int(), record.NullableString(), record.String(), record.NullableString(),
            record.NullableString(), record.Bool(), record.Bool(),
            record.Bool() ? new MacroOrigin(record.String(), record.Int(), record.Int(), record.Int(), record.String()) : null);
}

/// <summary>
/// Call edges packed: [caller, callee, kind] each. A unit of xnu-11417 holds hundreds; as rows of JSON each array was read
/// into a growing list (~0.1 s of CPU of a `.c` edit's re-scan, resizing alone).
/// </summary>
internal sealed class PackedCallEdges : LeanReading.PackedRowsConverter<Graph.CallEdge>
{
    protected override int Width => 3;

    protected override void Pack(ref LeanReading.RowPacker row, Graph.CallEdge value)
    {
        row.String(value.Caller);
        row.String(value.Callee);
        row.Int((int)value.Kind);
    }

    protected override Graph.CallEdge Unpack(ref LeanReading.RowUnpacker row) => new(row.String(), row.String(), (Model.CallKind)row.Int());
}

/// <summary>Pairs of names packed (a unit's slot stores and slot calls): [first, second] each.</summary>
internal sealed class PackedStringPairs : LeanReading.PackedRowsConverter<(string, string)>
{
    protected override int Width => 2;

    protected override void Pack(ref LeanReading.RowPacker row, (string, string) value)
    {
        row.String(value.Item1);
        row.String(value.Item2);
    }

    protected override (string, string) Unpack(ref LeanReading.RowUnpacker row) => (row.NullableString()!, row.NullableString()!);
}
