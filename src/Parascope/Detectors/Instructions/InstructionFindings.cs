using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// What every kind of instruction site shares: asm text classified in the right family (by folder, condition or
/// unit arch) and turned into a finding with the same properties, whoever found it.
/// </summary>
internal static class InstructionFindings
{
    /// <summary>
    /// The counted statements of an assembly file. A file in an arch folder is read in that family. A file with
    /// none (libsyscall wrappers, tests) often holds both families under #if: it is read in both, each statement
    /// kept in the family its condition names, unconditional ones in the unit's family, or in the other family
    /// when the unit's finds nothing on that line.
    /// </summary>
    public static IEnumerable<(AsmStatement Statement, InstructionMatch Match, string? Encoding)> AssemblyMatches(
        string text, string relativePath, InstructionFamily unitFamily, IReadOnlyDictionary<string, string> defines, InstructionClassifier classifier,
        Func<int, bool>? compiled = null)
    {
        var pathFamily = FamilyHints.OfPath(relativePath);
        if (pathFamily is { } fixedFamily)
        {
            return Matches(fixedFamily).Select(m => (m.Statement, m.Match, m.Encoding));
        }
        var primary = Matches(unitFamily).ToList();
        var other = unitFamily == InstructionFamily.X86 ? InstructionFamily.Arm64 : InstructionFamily.X86;
        var secondary = Matches(other).ToList();
        var kept = primary.Where(m => (FamilyHints.OfConditions(m.Statement.Conditions) ?? unitFamily) == unitFamily).ToList();
        var lines = kept.Select(m => m.Statement.Line).ToHashSet();
        kept.AddRange(secondary.Where(m => FamilyHints.OfConditions(m.Statement.Conditions) is { } c ? c == other : !lines.Contains(m.Statement.Line)));
        return kept.OrderBy(m => m.Statement.Line).ThenBy(m => m.Statement.Column).Select(m => (m.Statement, m.Match, m.Encoding));

        IEnumerable<(AsmStatement Statement, InstructionMatch Match, string? Encoding)> Matches(InstructionFamily family)
        {
            foreach (var (statement, decoded) in RawRuns.Decode(AssemblySourceScanner.Scan(text, family, defines, compiled: compiled), classifier, family))
            {
                if (classifier.Classify(decoded ?? statement.Text, family, statement.IntelSyntax) is { } match)
                {
                    yield return (statement, match, decoded is null ? null : statement.Text);
                }
            }
        }
    }

    /// <summary>
    /// Asm text in C: an arch folder decides its family; then, for code the unit skipped, a condition naming an
    /// arch; then the unit's arch. Text with no hint that does not classify in that family is tried in the other
    /// (the mnemonic sets barely overlap and the overlapping ones — str, hlt — are told apart by operand shape).
    /// </summary>
    public static InstructionMatch? ClassifyC(InstructionClassifier classifier, AsmStatement statement, string file, bool active, InstructionFamily unitFamily)
    {
        var path = FamilyHints.OfPath(file);
        var condition = active ? null : FamilyHints.OfConditions(statement.Conditions);
        var family = condition ?? path ?? unitFamily;
        var match = classifier.Classify(statement.Text, family);
        if (match is null && path is null && condition is null)
        {
            match = classifier.Classify(statement.Text, family == InstructionFamily.X86 ? InstructionFamily.Arm64 : InstructionFamily.X86);
        }
        return match;
    }

    public static Finding Build(DetectionContext context, InstructionMatch match, string file, AsmStatement statement, string? function, bool active, string? arch)
    {
        var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        properties["mnemonic"] = match.Mnemonic.ToLowerInvariant();
        if (match.Register is not null)
        {
            properties["register"] = match.Register;
        }
        if (statement.Macro is not null)
        {
            properties["macro"] = statement.Macro;
        }
        return context.FindingOf(match.Rule, file, statement.Line, statement.Column, statement.Context, FoldSpaces(statement.Text)) with
        {
            Function = function,
            Active = active,
            Arches = arch is null ? [] : [arch],
            Properties = properties.ToImmutable(),
        };
    }

    public static Finding Unread(Finding finding, AsmStatement statement) => finding with
    {
        Condition = statement.Condition,
        Units = 0,
        Properties = finding.Properties.Add("reason", "not-compiled"),
    };

    /// <summary>
    /// A macro's asm text with its parameters replaced by one invocation's arguments; an argument made of string
    /// literals gives their contents, since the template's pieces and the argument concatenate.
    /// </summary>
    public static string Substitute(string text, ImmutableArray<string> parameters, ImmutableArray<string> arguments)
    {
        for (var p = 0; p < parameters.Length && p < arguments.Length; p++)
        {
            var argument = arguments[p].Trim();
            var pieces = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (pieces.Length > 0 && pieces.All(piece => piece.Length >= 2 && piece[0] == '"' && piece[^1] == '"'))
            {
                argument = string.Concat(pieces.Select(piece => piece[1..^1]));
            }
            text = System.Text.RegularExpressions.Regex.Replace(text, $@"(?<![A-Za-z0-9_]){System.Text.RegularExpressions.Regex.Escape(parameters[p])}(?![A-Za-z0-9_])", argument.Replace("$", "$$", StringComparison.Ordinal));
        }
        // ##n## marks a stringified C parameter pasted between template pieces, \() a GAS concatenation.
        return text.Replace("##", string.Empty, StringComparison.Ordinal).Replace("\\()", string.Empty, StringComparison.Ordinal);
    }

    public static string FoldSpaces(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
