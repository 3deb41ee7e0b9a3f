using Parascope.Rules;

namespace Parascope.Tests.Rules;

public sealed class RuleSetConsistencyTests
{
    [Fact]
    public void No_function_or_macro_name_is_claimed_by_two_rules()
    {
        // One site, one finding: a function two rules list would be reported twice and counted twice in the plan.
        var rules = RuleLoader.LoadBuiltIn().Rules;
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var clashes = new List<string>();
        foreach (var rule in rules)
        {
            foreach (var name in rule.Match.Functions.Concat(rule.Match.Macros).Distinct(StringComparer.Ordinal))
            {
                if (owners.TryGetValue(name, out var owner) && owner != rule.Id)
                {
                    clashes.Add($"{name}: {owner} and {rule.Id}");
                }
                owners.TryAdd(name, rule.Id);
            }
        }
        Assert.True(clashes.Count == 0, string.Join("\n", clashes));
    }
}
