using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Discovery;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>One unit's exact flags and its first diagnostics: why a file does (not) parse cleanly.</summary>
public sealed record UnitExplanation(string Profile, SourceUnit Unit, UnitStatus Status, ImmutableArray<ParseDiagnostic> Diagnostics, int ErrorCount)
{
    /// <summary>What Parascope read from memory instead of disk for this unit: the command alone does not reproduce them.</summary>
    public ImmutableArray<string> Repairs { get; init; } = [];

    /// <summary>The machine configuration the unit's arch was configured with (XNU profile), and where it came from.</summary>
    public Discovery.Xnu.MachineConfig? Machine { get; init; }
}

public static class UnitExplainer
{
    /// <summary>The unit of FILE for ARCH as discovery configures it, parsed once; an error line when there is none.</summary>
    public static Checked<UnitExplanation> Explain(DiscoveryRequest request, string file, int diagnosticLimit)
    {
        var discovery = UnitDiscovery.Discover(request);
        if (discovery.Error is not null)
        {
            return discovery.Error;
        }
        var path = Path.GetFullPath(file);
        var candidates = discovery.Units.Where(u => u.Path == path).ToList();
        if (candidates.Count == 0)
        {
            return new InputError($"{path}: not a unit of {request.Root} (profile {discovery.Profile}; a header, another subsystem, or not compiled for {string.Join(", ", request.Arches)})");
        }
        var unit = candidates[0];
        var machine = discovery.MachineConfigs.FirstOrDefault(m => m.Arch == unit.Arch);
        if (unit.Language == SourceLanguage.Assembly)
        {
            return Checked<UnitExplanation>.Of(new UnitExplanation(discovery.Profile, unit, UnitStatus.Clean, [], 0) { Machine = machine });
        }
        if (Libclang.Load() is { } loadError)
        {
            return loadError;
        }
        using var index = new ClangIndex();
        using var overlays = new UnsavedFiles(discovery.Overlays);
        var translationUnit = TranslationUnit.TryParse(index, unit.Path, unit.Arguments, out var code, unsaved: overlays);
        if (translationUnit is null)
        {
            return Checked<UnitExplanation>.Of(new UnitExplanation(discovery.Profile, unit, UnitStatus.Failed,
                [new ParseDiagnostic(DiagnosticLevel.Fatal, $"libclang could not parse the unit ({code})", unit.Path, 0, 0)], 1)
            { Machine = machine });
        }
        var errors = translationUnit.Diagnostics().Where(d => d.Level >= DiagnosticLevel.Error).ToImmutableArray();
        // The same repairs a scan makes, so explain shows what the detectors see.
        var repairs = ImmutableArray.CreateBuilder<string>();
        if (LvalueCasts.Reparse(index, unit, discovery.Overlays, errors) is { } repaired)
        {
            translationUnit.Dispose();
            (translationUnit, errors) = repaired;
            repairs.Add($"{unit.RelativePath}: GCC lvalue casts rewritten as *(T *)&(expr)");
        }
        else if (OverAlignedArrays.Reparse(index, unit, discovery.Overlays, errors) is { } realigned)
        {
            translationUnit.Dispose();
            (translationUnit, errors) = realigned;
            repairs.Add($"{unit.RelativePath}: arrays of an over-aligned type declared as aligned arrays of its underlying type (clang < 16)");
        }
        var included = translationUnit.IncludedFiles().Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        repairs.AddRange(discovery.OverlayRepairs.Where(o => included.Contains(o.Key))
            .Select(o => $"{Path.GetRelativePath(request.Root, o.Key)}: {o.Value}"));
        translationUnit.Dispose();
        return Checked<UnitExplanation>.Of(new UnitExplanation(discovery.Profile, unit, errors.Length == 0 ? UnitStatus.Clean : UnitStatus.WithErrors,
            [.. errors.Take(diagnosticLimit)], errors.Length)
        { Repairs = repairs.ToImmutable(), Machine = machine });
    }
}
