namespace Parascope.Rules;

/// <summary>A rule file problem, reported as `file:line: message`.</summary>
public sealed record RuleError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}
