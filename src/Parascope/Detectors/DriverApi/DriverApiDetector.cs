using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Rules;

namespace Parascope.Detectors.DriverApi;

/// <summary>
/// Driver-API call sites (rules/driver-api.yaml): IOKit member calls resolved to the declaring class through
/// the class hierarchy of every unit, Mach/BSD kernel interfaces called directly or through macros, and
/// macros that hide hardware access behind function-pointer tables. One call gives at most one finding.
/// </summary>
public sealed class DriverApiDetector : IDetector
{
    public string Name => "driver-api";

    private readonly DriverApiRules _rules;

    /// <summary>Indexes the driver-api rules once, for every unit of the scan.</summary>
    public DriverApiDetector(RuleSet rules) => _rules = new DriverApiRules(rules);

    public IUnitCollector CreateCollector(UnitScope scope) => new DriverApiCollector(_rules, scope);

    public void Detect(DetectionContext context, FindingSink sink)
    {
        var rules = _rules;
        var hierarchy = ClassHierarchy.From(context);
        foreach (var (unit, facts) in context.FactsOf<DriverApiFacts>())
        {
            foreach (var call in facts.Calls)
            {
                var match = Match(call, rules, hierarchy);
                if (match is not { } found)
                {
                    continue;
                }
                sink.Add(ToFinding(call, found.Rule, found.MatchedClass, unit, context));
            }
        }
    }

    private static (Rule Rule, string? MatchedClass)? Match(DriverCall call, DriverApiRules rules, ClassHierarchy hierarchy)
    {
        switch (call.Kind)
        {
            case DriverCallKind.Function:
                return rules.MatchFunction(call.Callee) is { } rule ? (rule, null) : null;
            case DriverCallKind.Macro:
                return rules.Macros.TryGetValue(call.Callee, out var macroRule) ? (macroRule, null) : null;
            default:
                return rules.MatchMethod(call.Callee, hierarchy.Lineage(call.Class!)) is { } method ? (method.Rule, method.MatchedClass) : null;
        }
    }

    private static Finding ToFinding(DriverCall call, Rule rule, string? matchedClass, ParsedUnit parsed, DetectionContext context)
    {
        var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        string detail;
        if (call.Kind == DriverCallKind.Method)
        {
            detail = $"{call.Class}::{call.Callee}()";
            properties["class"] = call.Class!;
            properties["method"] = call.Callee;
            properties["rule-class"] = matchedClass!;
            properties["dispatch"] = call.Static ? "static" : call.Virtual ? "virtual" : "direct";
        }
        else if (call.Kind == DriverCallKind.Macro)
        {
            detail = $"{call.Callee}()";
        }
        else
        {
            detail = $"{call.Callee}()";
            properties["function"] = call.Callee;
        }
        if (call.Macro is not null)
        {
            properties["macro"] = call.Macro;
        }
        var unit = parsed.Unit;
        var finding = context.FindingOf(rule, call.File, call.Line, call.Column,
            unit.Language == SourceLanguage.Cxx ? SourceContext.Cxx : SourceContext.C, detail) with
        {
            Function = call.Function,
            Arches = [unit.Arch],
            Properties = properties.ToImmutable(),
            // A listed macro's expansion is seen by every unit that reads the header (a top-level preprocessing entity): no walk's.
            Walks = call.Kind == DriverCallKind.Macro ? [] : context.WalkOf(parsed, call.File, call.Function),
        };
        return call.Origin is { } origin ? finding.AtMacroDefinition(origin, finding.Detail) : finding;
    }
}
