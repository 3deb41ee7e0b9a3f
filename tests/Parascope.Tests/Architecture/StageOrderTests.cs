using System.Reflection;
using System.Reflection.Emit;

namespace Parascope.Tests.Architecture;

/// <summary>
/// Data flows one way: a stage may use the stages before it, never one after it. Read from the compiled IL
/// (signatures, fields, locals and every type, method and field a method body names), so a reference written
/// through `using`, a full name or `var` is seen alike.
/// </summary>
public class StageOrderTests
{
    /// <summary>
    /// The stages in the order data flows; `Parascope` alone is the pipeline that drives them up to Results; Workers parses
    /// units in processes (the collectors of Detectors and Graph run there) and carries their facts as Facts frames.
    /// </summary>
    public static readonly string[] Stages =
    [
        "Parascope.Model", "Parascope.Files", "Parascope.Rules", "Parascope.Clang", "Parascope.Discovery", "Parascope.Parsing",
        "Parascope.Detectors", "Parascope.Graph", "Parascope.Facts", "Parascope.Caching", "Parascope.Workers", "Parascope.Planning", "Parascope.Results",
        "Parascope", "Parascope.Reports", "Parascope.Cli",
    ];

    [Fact]
    public void No_stage_uses_a_later_stage()
    {
        var assemblies = new[] { typeof(global::Parascope.Model.Finding).Assembly, typeof(global::Parascope.Clang.Cursor).Assembly, typeof(global::Parascope.Cli.CommandLine).Assembly };
        var violations = Violations(assemblies.SelectMany(References)).ToList();
        Assert.True(violations.Count == 0, "stages used backwards:\n" + string.Join('\n', violations.Take(30)));
    }

    [Fact]
    public void A_reversed_reference_is_reported()
    {
        var reversed = new[] { ("Parascope.Model.ScanResult", "Parascope.Graph.CallGraph"), ("Parascope.Graph.CallGraph", "Parascope.Model.Finding") };
        Assert.Equal(["Parascope.Model.ScanResult (Parascope.Model) uses Parascope.Graph.CallGraph (Parascope.Graph)"], Violations(reversed));
    }

    [Fact]
    public void The_il_reader_sees_a_reference_made_inside_a_method_body()
    {
        var references = References(typeof(StageOrderTests).Assembly).Where(r => r.From == typeof(StageOrderTests).FullName).Select(r => r.To);
        Assert.Contains(typeof(global::Parascope.Graph.PortPhases).FullName, references);
    }

    private static class BodyOnlyReference
    {
        public static int Count() => global::Parascope.Graph.PortPhases.BuiltIn().Phases.Length;
    }

    public static IEnumerable<string> Violations(IEnumerable<(string From, string To)> references) =>
        references.Distinct()
            .Select(r => (r.From, r.To, FromStage: StageOf(r.From), ToStage: StageOf(r.To)))
            .Where(r => r.FromStage >= 0 && r.ToStage > r.FromStage)
            .Select(r => $"{r.From} ({Stages[r.FromStage]}) uses {r.To} ({Stages[r.ToStage]})")
            .Order(StringComparer.Ordinal);

    /// <summary>The stage of a full type name: the longest stage namespace it is in, or -1 outside Parascope.</summary>
    private static int StageOf(string fullName)
    {
        var best = -1;
        for (var i = 0; i < Stages.Length; i++)
        {
            var inStage = Stages[i] == "Parascope"
                ? fullName.StartsWith("Parascope.", StringComparison.Ordinal) && fullName.IndexOf('.', "Parascope.".Length) < 0
                : fullName.StartsWith(Stages[i] + ".", StringComparison.Ordinal);
            if (inStage && (best < 0 || Stages[i].Length > Stages[best].Length))
            {
                best = i;
            }
        }
        return best;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>(type, type it names) for every type of the assembly; nested and compiler-made types count as their outer type's.</summary>
    public static IEnumerable<(string From, string To)> References(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            var from = Outermost(type).FullName!;
            var named = new HashSet<Type>();
            void Add(Type? t)
            {
                if (t is null || !named.Add(t))
                {
                    return;
                }
                if (t.HasElementType)
                {
                    Add(t.GetElementType());
                }
                if (t.IsGenericType)
                {
                    foreach (var argument in t.GetGenericArguments())
                    {
                        Add(argument);
                    }
                }
            }
            Add(type.BaseType);
            foreach (var face in type.GetInterfaces())
            {
                Add(face);
            }
            foreach (var field in type.GetFields(all))
            {
                Add(field.FieldType);
            }
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (method is MethodInfo info)
                {
                    Add(info.ReturnType);
                }
                foreach (var parameter in method.GetParameters())
                {
                    Add(parameter.ParameterType);
                }
                var body = method.GetMethodBody();
                if (body is null)
                {
                    continue;
                }
                foreach (var local in body.LocalVariables)
                {
                    Add(local.LocalType);
                }
                foreach (var member in BodyMembers(method, body.GetILAsByteArray() ?? []))
                {
                    Add(member as Type ?? member.DeclaringType);
                    if (member is MethodInfo called)
                    {
                        Add(called.ReturnType);
                    }
                    if (member is FieldInfo field)
                    {
                        Add(field.FieldType);
                    }
                }
            }
            foreach (var to in named.Where(t => !t.IsGenericParameter && t.FullName is not null).Select(t => Outermost(t).FullName!))
            {
                yield return (from, to);
            }
        }
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        return type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericTypeDefinition() : type;
    }

    /// <summary>The types, methods and fields the IL of a method body names (its tokens resolved in the method's module).</summary>
    private static IEnumerable<MemberInfo> BodyMembers(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE && i + 1 < il.Length ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            if (!OpCodesByValue.TryGetValue(value, out var opCode))
            {
                yield break;
            }
            switch (opCode.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    }
                    catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException)
                    {
                    }
                    if (member is not null)
                    {
                        yield return member;
                    }
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
