using Parascope.Clang.Interop;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

public sealed class NativeFaultTests
{
    /// <summary>65,536 initialisers from six macro levels: tens of milliseconds of libclang, well past a 1 ms timeout.</summary>
    internal const string SlowUnit = """
        #define X1(a) a a
        #define X2(a) X1(X1(a))
        #define X3(a) X2(X2(a))
        #define X4(a) X3(X3(a))
        #define X5(a) X4(X4(a))
        int slow_table[] = { X5(1,) };
        void slow_halt(void)
        {
        	__asm__ volatile("hlt");
        }
        """;

    [Fact]
    public void A_unit_past_the_timeout_is_abandoned_and_reported_failed_and_the_scan_goes_on()
    {
        // 16 times the slow unit (about a million initialisers): a slow unit alone once finished while the waiting
        // thread, descheduled on a busy machine, slept past its 1 ms (Join then saw a finished thread).
        using var tree = new TempTree();
        tree.Write("osfmk/i386/slow.c", SlowUnit.Replace("{ X5(1,) }", "{ X5(X1(X1(X1(X1(1,))))) }", StringComparison.Ordinal));
        tree.Write("osfmk/i386/fast.s", "\thlt\n");

        var outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = tree.Root,
            Jobs = 1,
            IncludeUnits = true,
            UnitTimeout = TimeSpan.FromMilliseconds(1),
        });

        var result = outcome.Result!;
        var slow = Assert.Single(result.Health.Units, u => u.File == "osfmk/i386/slow.c");
        Assert.Equal(UnitStatus.Failed, slow.Status);
        Assert.StartsWith(UnitParser.TimeoutReason, slow.FirstError);
        Assert.Contains(result.Warnings, w => w.Contains("abandoned after --unit-timeout", StringComparison.Ordinal));
        Assert.Equal(result.Health.Units.Length, result.Health.Counts.Total);
    }

    [Fact]
    public void Without_a_timeout_the_same_unit_is_read()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/slow.c", SlowUnit);

        var result = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, IncludeUnits = true }).Result!;

        Assert.NotEqual(UnitStatus.Failed, Assert.Single(result.Health.Units).Status);
        Assert.Contains(result.Findings, f => f.RuleId == "x86.hlt");
    }

    [Fact]
    public void A_source_file_that_vanishes_during_the_scan_costs_its_unit_only()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/a.c", "void a_halt(void) { __asm__ volatile(\"hlt\"); }\n");
        var vanishing = tree.Write("osfmk/i386/b.c", "void b_halt(void) { __asm__ volatile(\"hlt\"); }\n");
        tree.Write("osfmk/i386/c.c", "void c_halt(void) { __asm__ volatile(\"hlt\"); }\n");

        var outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = tree.Root,
            Jobs = 1,
            IncludeUnits = true,
            Progress = (done, _) =>
            {
                if (done == 1)
                {
                    File.Delete(vanishing);
                }
            },
        });

        var result = outcome.Result!;
        Assert.Equal(3, result.Health.Counts.Total);
        Assert.NotEqual(UnitStatus.Clean, Assert.Single(result.Health.Units, u => u.File == "osfmk/i386/b.c").Status);
        Assert.Contains(result.Findings, f => f.Function == "c_halt");
    }

    [Theory]
    [InlineData(CXErrorCode.CXError_Crashed, "crashed")]
    [InlineData(CXErrorCode.CXError_ASTReadError, "could not read")]
    [InlineData(CXErrorCode.CXError_InvalidArguments, "rejected the unit's arguments")]
    public void A_libclang_error_code_is_reported_in_words_with_the_code(CXErrorCode code, string words)
    {
        var reason = UnitParser.FailureReason(code);
        Assert.Contains(words, reason);
        Assert.Contains(code.ToString(), reason);
    }
}
