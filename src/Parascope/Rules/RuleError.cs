namespace Parascope.Rules;

/// <summary>A rule file problem, reported as `file:line: message`, or `path: message` when no line applies (Line 0).</summary>
public sealed record RuleError(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
