using System.Collections.Immutable;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Caching;

/// <summary>
/// A configuration group's findings packed (<see cref="LeanReading.PackedRecordsConverter{T}"/>): every member of
/// <see cref="Finding"/> that can be set, in the order below. As JSON objects, the ~17,000 findings of each of
/// xnu-11417 x86_64's three groups took ~0.65 s of CPU to read back on every re-scan, on the other core meanwhile the
/// units are looked up. A member added to <see cref="Finding"/> must be added here (a test sets every one).
/// </summary>
internal sealed class PackedFindings : LeanReading.PackedRecordsConverter<Finding>
{
    protected override void Pack(LeanReading.RecordPacker record, Finding value)
    {
        record.String(value.RuleId);
        record.Int((int)value.Category);
        record.Int((int)value.Severity);
        record.String(value.File);
        record.Int(value.Line);
        record.Int(value.Column);
        record.String(value.Function);
        record.String(value.FunctionNode);
        record.String(value.Arch);
        record.Int((int)value.Context);
        record.Bool(value.Active);
        record.String(value.Detail);
        record.String(value.Action);
        record.String(value.Fingerprint);
        record.Array(value.Expansions, static (r, site) =>
        {
            r.String(site.File);
            r.Int(site.Line);
            r.String(site.Function);
            r.String(site.Register);
        });
        record.Strings(value.Arches);
        record.Strings(value.Configurations);
        record.Strings(value.Platforms);
        record.Int(value.Units);
        record.Array(value.Walks, static (r, walk) =>
        {
            r.String(walk.File);
            r.String(walk.Function);
            r.String(walk.Arch);
            r.Int(walk.Units);
        });
        record.NullableInt(value.ViewUnits);
        NullableStrings(record, value.UnwalkedConfigurations);
        NullableStrings(record, value.UnwalkedPlatforms);
        record.String(value.Condition);
        record.String(value.Subcategory);
        record.Int(value.Properties.Count);
        foreach (var (key, text) in value.Properties)
        {
            record.String(key);
            record.String(text);
        }
        record.String(value.Baseline);
        record.String(value.Phase);
        record.NullableInt(value.Callers);
        record.NullableInt(value.IndirectCallers);
        record.NullableInt(value.TransitiveCallers);
        record.Strings(value.CallerFunctions);
        record.String(value.Hook);
        record.String(value.Role);
        record.String(value.Implementation);
        record.String(value.Driver);
        record.Int(value.Wrapper switch { null => 0, false => 1, true => 2 });
        record.String(value.Suppression);
        record.Strings(value.Values);
        record.String(value.Otherwise);
        record.String(value.Item);
        record.String(value.Verdict);
    }

    protected override Finding Unpack(ref LeanReading.RowUnpacker record) => new()
    {
        RuleId = record.String(),
        Category = (FindingCategory)record.Int(),
        Severity = (Severity)record.Int(),
        File = record.String(),
        Line = record.Int(),
        Column = record.Int(),
        Function = record.NullableString(),
        FunctionNode = record.NullableString(),
        Arch = record.String(),
        Context = (SourceContext)record.Int(),
        Active = record.Bool(),
        Detail = record.String(),
        Action = record.String(),
        Fingerprint = record.NullableString() ?? string.Empty,
        Expansions = record.Array(static (ref LeanReading.RowUnpacker r) =>
            new SiteReference(r.String(), r.Int(), r.NullableString()) { Register = r.NullableString() }),
        Arches = record.Strings(),
        Configurations = record.Strings(),
        Platforms = record.Strings(),
        Units = record.Int(),
        Walks = record.Array(static (ref LeanReading.RowUnpacker r) => new BodyWalk(r.String(), r.String(), r.String(), r.Int())),
        ViewUnits = record.NullableInt(),
        UnwalkedConfigurations = NullableStrings(ref record),
        UnwalkedPlatforms = NullableStrings(ref record),
        Condition = record.NullableString(),
        Subcategory = record.NullableString(),
        Properties = Properties(ref record),
        Baseline = record.NullableString(),
        Phase = record.NullableString(),
        Callers = record.NullableInt(),
        IndirectCallers = record.NullableInt(),
        TransitiveCallers = record.NullableInt(),
        CallerFunctions = record.Strings(),
        Hook = record.NullableString(),
        Role = record.NullableString(),
        Implementation = record.NullableString(),
        Driver = record.NullableString(),
        Wrapper = record.Int() switch
        {
            0 => null,
            1 => false,
            2 => true,
            _ => throw new System.Text.Json.JsonException("a packed optional flag out of range"),
        },
        Suppression = record.NullableString(),
        Values = record.Strings(),
        Otherwise = record.NullableString(),
        Item = record.NullableString(),
        Verdict = record.NullableString(),
    };

    /// <summary>An optional array: 0 for none, else 1 and the array.</summary>
    private static void NullableStrings(LeanReading.RecordPacker record, ImmutableArray<string>? items)
    {
        record.Bool(items is not null);
        if (items is { } present)
        {
            record.Strings(present);
        }
    }

    private static ImmutableArray<string>? NullableStrings(ref LeanReading.RowUnpacker record) => record.Bool() ? record.Strings() : null;

    /// <summary>
    /// The properties, in the sorted dictionary a finding starts with (as JSON reading made it). Most findings of a store
    /// have the same few sets of properties (a rule's mnemonic and register at every site of it), and building each
    /// sorted dictionary anew was ~0.1 s of CPU of every re-scan of xnu-11417 that reads its configuration groups: one
    /// dictionary is kept per set, on the reading thread (they are immutable), for as many sets as <see cref="KeptSets"/>.
    /// </summary>
    private static ImmutableSortedDictionary<string, string> Properties(ref LeanReading.RowUnpacker record)
    {
        var count = record.Int();
        if (count == 0)
        {
            return ImmutableSortedDictionary<string, string>.Empty;
        }
        var pairs = new string[2 * count];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = record.String();
        }
        var key = string.Join('\u0001', pairs);
        var kept = t_sets ??= new Dictionary<string, ImmutableSortedDictionary<string, string>>(StringComparer.Ordinal);
        if (kept.TryGetValue(key, out var known))
        {
            return known;
        }
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>();
        for (var i = 0; i < pairs.Length; i += 2)
        {
            builder[pairs[i]] = pairs[i + 1];
        }
        var made = builder.ToImmutable();
        if (kept.Count >= KeptSets)
        {
            kept.Clear();
        }
        kept[key] = made;
        return made;
    }

    /// <summary>How many sets of properties a thread keeps (<see cref="Properties"/>): xnu-11417 x86_64's report has 740 among 2,851 findings.</summary>
    private const int KeptSets = 4096;

    [ThreadStatic]
    private static Dictionary<string, ImmutableSortedDictionary<string, string>>? t_sets;
}
