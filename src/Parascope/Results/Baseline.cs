using System.Collections.Immutable;
using System.Text.Json;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Results;

/// <summary>
/// Compares a scan with an earlier JSON report by fingerprint: each finding becomes new or unchanged, and
/// fingerprints of the earlier report that are gone count as fixed. CI gates on the new ones only.
/// </summary>
public static class Baseline
{
    /// <summary>The fingerprints of a JSON report, or a one-line reason it cannot be read (an input error).</summary>
    public static Checked<ImmutableHashSet<string>> Load(string path)
    {
        if (RegularFiles.Check(path, "baseline file") is { } notAFile)
        {
            return notAFile;
        }
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            if (!document.RootElement.TryGetProperty("findings", out var findings) || findings.ValueKind != JsonValueKind.Array)
            {
                return new InputError($"{path}: not a parascope JSON report (no findings array)");
            }
            var fingerprints = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
            foreach (var finding in findings.EnumerateArray())
            {
                if (finding.TryGetProperty("fingerprint", out var fingerprint) && fingerprint.GetString() is { Length: > 0 } text)
                {
                    fingerprints.Add(text);
                }
            }
            return Checked<ImmutableHashSet<string>>.Of(fingerprints.ToImmutable());
        }
        catch (JsonException exception)
        {
            return new InputError($"{path}: not valid JSON ({exception.Message.Split('\n')[0]})");
        }
    }

    public static ScanResult Apply(ScanResult result, IReadOnlySet<string> baseline)
    {
        var findings = result.Findings
            .Select(f => f with { Baseline = baseline.Contains(f.Fingerprint) ? "unchanged" : "new" })
            .ToImmutableArray();
        var present = result.Findings.Concat(result.Suppressed).Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
        return result with
        {
            Findings = findings,
            HasBaseline = true,
            FixedSinceBaseline = baseline.Count(fingerprint => !present.Contains(fingerprint)),
        };
    }
}
