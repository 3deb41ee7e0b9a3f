using System.Collections.Immutable;
using System.Diagnostics;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Detectors;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>Parses one unit (libclang for C/C++, the file text for assembly) and runs every collector over it once.</summary>
public sealed class UnitParser : IUnitReader
{
    /// <summary>The stack of a unit's own thread: the AST walk recurses as deep as the code nests.</summary>
    public const int UnitStackSize = 16 * 1024 * 1024;

    // An index serves one parse at a time; a unit's thread takes one and gives it back when done. An abandoned
    // unit's index stays with its thread, so a later unit never shares it.
    private readonly Stack<ClangIndex> _idleIndexes = new();
    private readonly object _gate = new();
    private bool _disposed;
    private int _abandoned;
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

    /// <summary>The first words of an abandoned unit's error.</summary>
    public const string TimeoutReason = "timeout:";

    /// <summary>Units given up on after the timeout of <see cref="Parse(UnitScope, TimeSpan)"/>.</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>
    /// Parses SCOPE on a thread of its own and waits at most TIMEOUT (infinite: no limit). Past it, the unit is
    /// reported failed with the reason `timeout` and the scan goes on without it. libclang has no way to cancel a
    /// parse in the same process, so "abandoned" means: its thread (a background thread) is left to finish or to
    /// end with the process, its late facts are dropped, and what it holds (index, unsaved buffers) is never freed.
    /// </summary>
    public ParsedUnit Parse(UnitScope scope, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return Parse(scope);
        }
        ParsedUnit? result = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = Parse(scope);
            }
            catch (Exception exception)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception);
            }
        }, UnitStackSize)
        {
            IsBackground = true,
            Name = "parascope unit",
        };
        thread.Start();
        if (thread.Join(timeout))
        {
            failure?.Throw();
            return result!;
        }
        Interlocked.Increment(ref _abandoned);
        return TimedOut(scope.Unit, timeout);
    }

    /// <summary>UNIT abandoned after TIMEOUT: failed, with the reason `timeout`.</summary>
    public static ParsedUnit TimedOut(SourceUnit unit, TimeSpan timeout) => new()
    {
        Unit = unit,
        Status = UnitStatus.Failed,
        Errors = [new ParseDiagnostic(DiagnosticLevel.Fatal,
            $"{TimeoutReason} still being read after {timeout.TotalSeconds:0.###} s (--unit-timeout); abandoned", unit.Path, 0, 0)],
        DurationMs = (long)timeout.TotalMilliseconds,
    };

    /// <summary>UNIT failed with REASON (a fatal error at its first line): how a unit no parse could read is reported.</summary>
    public static ParsedUnit Failed(SourceUnit unit, string reason) => new()
    {
        Unit = unit,
        Status = UnitStatus.Failed,
        Errors = [new ParseDiagnostic(DiagnosticLevel.Fatal, reason, unit.Path, 0, 0)],
    };

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

    private ParsedUnit ParseAssembly(UnitScope scope, IUnitCollector[] collectors)
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
        var (skipped, read) = PreprocessAssembly(scope);
        var assembly = new AssemblyScope { Unit = scope, Text = text, Defines = DefinesOf(scope.Unit.Arguments), SkippedLines = skipped };
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
        return new ParsedUnit { Unit = scope.Unit, Status = UnitStatus.Clean, IncludedFiles = end.IncludedFiles, Dependencies = read };
    }

    /// <summary>
    /// The lines of an assembly unit the preprocessor skips, and every file it reads: libclang run over the file as
    /// XNU's makefiles assemble it (`-x assembler-with-cpp`: cpp, then the assembler), so that a condition on a macro
    /// a header defines (an option header's MACH_ASSERT, board_config.h's HAS_*) is decided as the build decides it.
    /// The parser's complaints about the assembly text are meaningless and dropped; the unit stays clean, as before.
    /// Skipped lines are null when libclang gives no translation unit (the conditionals are then evaluated alone).
    /// </summary>
    private (ImmutableArray<LineRange>? Skipped, ImmutableArray<string> Read) PreprocessAssembly(UnitScope scope)
    {
        var index = TakeIndex();
        try
        {
            using var translationUnit = TranslationUnit.TryParse(index, scope.Unit.Path, [.. scope.Unit.Arguments, "-x", "assembler-with-cpp"], out _,
                unsaved: _overlays);
            if (translationUnit is null)
            {
                return (null, [scope.Unit.Path]);
            }
            var own = Path.GetFullPath(scope.Unit.Path);
            var skipped = translationUnit.SkippedRanges()
                .Where(range => !string.IsNullOrEmpty(range.File) && Path.GetFullPath(range.File) == own)
                .ToImmutableArray();
            return (skipped, Dependencies(scope, translationUnit.IncludedFiles()));
        }
        finally
        {
            ReturnIndex(index);
        }
    }

    private ClangIndex TakeIndex()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idleIndexes.TryPop(out var index))
            {
                return index;
            }
            return new ClangIndex();
        }
    }

    private void ReturnIndex(ClangIndex index)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                // Given back by an abandoned unit's thread after the scan: nobody else will use it.
                index.Dispose();
                return;
            }
            _idleIndexes.Push(index);
        }
    }

    /// <summary>Why libclang gave no translation unit, in words (the code stays in brackets for a bug report).</summary>
    public static string FailureReason(CXErrorCode error) => error switch
    {
        CXErrorCode.CXError_Crashed => $"libclang crashed while parsing the unit ({error}); the scan went on without it",
        CXErrorCode.CXError_ASTReadError => $"libclang could not read the unit's AST or precompiled header ({error})",
        CXErrorCode.CXError_InvalidArguments => $"libclang rejected the unit's arguments ({error})",
        _ => $"libclang could not parse the unit ({error})",
    };

    private ParsedUnit ParseC(UnitScope scope, IUnitCollector[] collectors)
    {
        var index = TakeIndex();
        try
        {
            return ParseC(scope, collectors, index);
        }
        finally
        {
            ReturnIndex(index);
        }
    }

    private ParsedUnit ParseC(UnitScope scope, IUnitCollector[] collectors, ClangIndex index)
    {
        var translationUnit = TranslationUnit.TryParse(index, scope.Unit.Path, scope.Unit.Arguments, out var error,
            unsaved: _overlays);
        if (translationUnit is null)
        {
            return new ParsedUnit
            {
                Unit = scope.Unit,
                Status = UnitStatus.Failed,
                Errors = [new ParseDiagnostic(DiagnosticLevel.Fatal, FailureReason(error), scope.Unit.Path, 0, 0)],
            };
        }
        var errors = translationUnit.Diagnostics()
            .Where(diagnostic => diagnostic.Level >= DiagnosticLevel.Error)
            .ToImmutableArray();
        if (LvalueCasts.Reparse(index, scope.Unit, _overlayTexts, errors) is { } repaired)
        {
            translationUnit.Dispose();
            (translationUnit, errors) = repaired;
        }
        else if (OverAlignedArrays.Reparse(index, scope.Unit, _overlayTexts, errors) is { } realigned)
        {
            translationUnit.Dispose();
            (translationUnit, errors) = realigned;
        }
        // "incomplete type 'union (unnamed union at /checkout/…)'": the health report names no checkout.
        errors = [.. errors.Select(e => e with { Message = AnonymousSpellings.Relative(e.Message, scope.Root) })];
        using var _ = translationUnit;
        var astScope = new AstScope(scope, translationUnit);
        var walker = new AstWalker(astScope, collectors, _reach);
        walker.Walk();

        var inactive = translationUnit.SkippedRanges()
            .Select(range => RelativeRange(scope.Root, range))
            .OfType<LineRange>()
            .Select(range => range with { File = scope.Strings.Share(range.File) })
            .ToImmutableArray();
        var read = translationUnit.IncludedFiles();
        var dependencies = Dependencies(scope, read);
        var included = read
            .Select(file => RelativeUnderRoot(scope.Root, file))
            .OfType<string>()
            .Select(scope.Strings.Share)
            .Distinct(StringComparer.Ordinal)
            .ToImmutableArray();
        var end = new UnitEndScope { Unit = scope, InactiveRanges = inactive, IncludedFiles = included, Functions = walker.Definitions };
        foreach (var collector in collectors)
        {
            collector.OnUnitEnd(end);
        }
        return new ParsedUnit
        {
            Unit = scope.Unit,
            Status = errors.IsEmpty ? UnitStatus.Clean : UnitStatus.WithErrors,
            Errors = errors,
            IncludedFiles = included,
            Functions = walker.Functions,
            Reached = walker.Reached,
            Dependencies = dependencies,
        };
    }

    /// <summary>The unit's file and every file libclang read for it, as full paths.</summary>
    private static ImmutableArray<string> Dependencies(UnitScope scope, IEnumerable<string> read) =>
        // libclang names files as the search path found them, relative to this process's folder when relative.
        [.. read.Prepend(scope.Unit.Path)
            .Where(file => !string.IsNullOrEmpty(file))
            .Select(file => scope.Strings.Share(Path.GetFullPath(file)))
            .Distinct(StringComparer.Ordinal)];

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
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            while (_idleIndexes.TryPop(out var index))
            {
                index.Dispose();
            }
            // An abandoned unit's thread may still be inside libclang reading these buffers: leave them to the process.
            if (_abandoned == 0)
            {
                _overlays.Dispose();
            }
        }
    }
}
