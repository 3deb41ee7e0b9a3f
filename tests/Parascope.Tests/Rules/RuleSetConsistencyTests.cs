using Parascope.Rules;

namespace Parascope.Tests.Rules;

public sealed class RuleSetConsistencyTests
{
    [Fact]
    public void No_function_or_macro_name_is_claimed_by_two_rules()
    {
        // One site, one finding per concern: a function two rules of a category list would be reported twice and counted
        // twice in the plan. A platform site is another concern at the same call (lapic_init is a driver-API site and a
        // readiness item); platform rules that share a CPUID function are told apart by their leaves, those that share an
        // MSR read by their registers (next tests).
        var rules = RuleLoader.LoadBuiltIn().Rules;
        var owners = new Dictionary<(Parascope.Model.FindingCategory, string), string>();
        var clashes = new List<string>();
        foreach (var rule in rules.Where(r => r.Match["leaves"].IsEmpty && !IsRegisterRead(r)))
        {
            foreach (var name in rule.Match.Functions.Concat(rule.Match.Macros).Distinct(StringComparer.Ordinal))
            {
                if (owners.TryGetValue((rule.Category, name), out var owner) && owner != rule.Id)
                {
                    clashes.Add($"{name}: {owner} and {rule.Id}");
                }
                owners.TryAdd((rule.Category, name), rule.Id);
            }
        }
        Assert.True(clashes.Count == 0, string.Join("\n", clashes));
    }

    [Fact]
    public void Platform_rules_that_share_a_cpuid_function_ask_for_leaves_only_the_narrower_one_takes()
    {
        // time-source-cpuid's 0x40000010 lies inside hypervisor-leaf's range: the detector gives a call to the narrower.
        var rules = RuleLoader.LoadBuiltIn().Rules.Where(r => !r.Match["leaves"].IsEmpty).ToList();
        Assert.Equal(["platform.hypervisor-leaf", "platform.time-source-cpuid"], rules.Select(r => r.Id));
        Assert.Equal(rules[0].Match.Functions.ToArray(), rules[1].Match.Functions.ToArray());
    }

    [Fact]
    public void Platform_rules_that_share_a_register_read_ask_for_registers_no_other_of_them_asks_for()
    {
        // rdmsr64(MSR_FLEX_RATIO) is a bus-ratio read, rdmsr64(MSR_CORE_THREAD_COUNT) a refused one: one rule each.
        var rules = RuleLoader.LoadBuiltIn().Rules.Where(IsRegisterRead).ToList();
        Assert.Equal(["platform.msr-refused", "platform.time-source-msr"], rules.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Empty(Registers(rules[0]).Intersect(Registers(rules[1])));
    }

    private static bool IsRegisterRead(Parascope.Model.Rule rule) => rule.Category == Parascope.Model.FindingCategory.Platform && Registers(rule).Count > 0;

    private static HashSet<string> Registers(Parascope.Model.Rule rule) =>
        [.. rule.Match.Reads.Concat(rule.Match["faulting-reads"])];
}
