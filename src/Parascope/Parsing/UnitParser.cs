using System.Collections.Immutable;
using System.Diagnostics;
using Parascope.Clang;
using Parascope.Detectors;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>Parses one unit (libclang for C/C++, the file text for assembly) and runs every collector over it once.</summary>
public sealed class UnitParser : IDisposable
{
    private readonly ThreadLocal<ClangIndex> _indexes = new(() => new ClangIndex(), trackAllValues: true);
    private readonly ImmutableArray<ICollectorSource> _sources;
    private readonly FunctionReach _reach;
    private readonly ImmutableSortedDictionary<string, string> _overlayTexts;
    private readonly UnsavedFiles _overlays;

    /// <param name="overlays">Repaired tree files libclang reads instead of disk (discovery's overlays), by absolute path.</param>
    public UnitParser(ImmutableArray<ICollectorSource> sources, FunctionReach reach, ImmutableSortedDictionary<string, string>? overlays = null)
    {
        _sources = sources;
        _reach = reach;
        _overlayTexts = overlays ?? ImmutableSortedDictionary<string, string>.Empty;
        _overlays = new UnsavedFiles(_overlayTexts);
    }

    public ParsedUnit Parse(UnitScope scope)
    {
        var clock = Stopwatch.StartNew();
        var collectors = _sources.Select(source => source.CreateCollector(scope)).ToArray();
        var parsed = scope.Unit.Language == SourceLanguage.Assembly
            ? ParseAssembly(scope, collectors)
            : ParseC(scope, collectors);
        var facts = collectors.Select(collector => collector.Complete()).OfType<IUnitFacts>().ToImmutableArray();
        return parsed with { Facts = facts, DurationMs = clock.ElapsedMilliseconds };
    }

    private static ParsedUnit ParseAssembly(UnitScope scope, IUnitCollector[] collectors)
    {
        var text = scope.Texts.Get(scope.Unit.Path);
        if (text is null)
        {
            return new ParsedUnit
            {
                Unit = scope.Unit,
                Status = UnitStatus.Failed,
                Errors = [new ParseDiagnostic(DiagnosticLevel.Fatal, "cannot read file", scope.Unit.Path, 0, 0)],
            };
        }
        var assembly = new AssemblyScope { Unit = scope, Text = text, Defines = DefinesOf(scope.Unit.Arguments) };
        foreach (var collector in collectors)
        {
            collector.OnAssembly(assembly);
        }
        var end = new UnitEndScope
        {
            Unit = scope,
            InactiveRanges = [],
            IncludedFiles = [scope.Unit.RelativePath],
            Functions = [],
        };
        foreach (var collector in collectors)
        {
            collector.OnUnitEnd(end);
        }
        return new ParsedUnit { Unit = scope.Unit, Status = UnitStatus.Clean, IncludedFiles = end.IncludedFiles };
    }

    private ParsedUnit ParseC(UnitScope scope, IUnitCollector[] collectors)
    {
        var translationUnit = TranslationUnit.TryParse(_indexes.Value!, scope.Unit.Path, scope.Unit.Arguments, out var error,
            unsaved: _overlays);
        if (translationUnit is null)
        {
            return new ParsedUnit
            {
                Unit = scope.Unit,
                Status = UnitStatus.Failed,
                Errors = [new ParseDiagnostic(DiagnosticLevel.Fatal, $"libclang could not parse the unit ({error})", scope.Unit.Path, 0, 0)],
            };
        }
        var errors = translationUnit.Diagnostics()
            .Where(diagnostic => diagnostic.Level >= DiagnosticLevel.Error)
            .ToImmutableArray();
        if (LvalueCasts.Reparse(_indexes.Value!, scope.Unit, _overlayTexts, errors) is { } repaired)
        {
            translationUnit.Dispose();
            (translationUnit, errors) = repaired;
        }
        using var _ = translationUnit;
        var astScope = new AstScope(scope, translationUnit);
        var walker = new AstWalker(astScope, collectors, _reach);
        walker.Walk();

        var inactive = translationUnit.SkippedRanges()
            .Select(range => RelativeRange(scope.Root, range))
            .OfType<LineRange>()
            .ToImmutableArray();
        var included = translationUnit.IncludedFiles()
            .Select(file => RelativeUnderRoot(scope.Root, file))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToImmutableArray();
        var end = new UnitEndScope { Unit = scope, InactiveRanges = inactive, IncludedFiles = included, Functions = walker.Functions };
        foreach (var collector in collectors)
        {
            collector.OnUnitEnd(end);
        }
        return new ParsedUnit
        {
            Unit = scope.Unit,
            Status = errors.IsEmpty ? UnitStatus.Clean : UnitStatus.WithErrors,
            Errors = errors,
            InactiveRanges = inactive,
            IncludedFiles = included,
            Functions = walker.Functions,
        };
    }

    private static LineRange? RelativeRange(string root, LineRange range) =>
        RelativeUnderRoot(root, range.File) is { } relative ? range with { File = relative } : null;

    internal static string? RelativeUnderRoot(string root, string file)
    {
        if (string.IsNullOrEmpty(file))
        {
            return null;
        }
        var full = Path.GetFullPath(file);
        var prefix = root.EndsWith('/') ? root : root + "/";
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full[prefix.Length..] : null;
    }

    /// <summary>-DNAME and -DNAME=value arguments (and "-D NAME") as a map.</summary>
    public static ImmutableDictionary<string, string> DefinesOf(ImmutableArray<string> arguments)
    {
        var defines = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Length; i++)
        {
            var argument = arguments[i];
            string? definition = null;
            if (argument == "-D" && i + 1 < arguments.Length)
            {
                definition = arguments[++i];
            }
            else if (argument.StartsWith("-D", StringComparison.Ordinal))
            {
                definition = argument[2..];
            }
            else if (argument == "-U" && i + 1 < arguments.Length)
            {
                defines.Remove(arguments[++i]);
            }
            else if (argument.StartsWith("-U", StringComparison.Ordinal))
            {
                defines.Remove(argument[2..]);
            }
            if (definition is null)
            {
                continue;
            }
            var equals = definition.IndexOf('=');
            if (equals < 0)
            {
                defines[definition] = "1";
            }
            else
            {
                defines[definition[..equals]] = definition[(equals + 1)..];
            }
        }
        return defines.ToImmutable();
    }

    public void Dispose()
    {
        _overlays.Dispose();
        foreach (var index in _indexes.Values)
        {
            index.Dispose();
        }
        _indexes.Dispose();
    }
}
