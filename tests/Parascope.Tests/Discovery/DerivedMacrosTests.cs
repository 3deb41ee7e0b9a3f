using Parascope.Discovery.Xnu;

namespace Parascope.Tests.Discovery;

/// <summary>Macros headers define in terms of what a configuration or board varies (original header text in XNU's style).</summary>
public sealed class DerivedMacrosTests
{
    private const string CompressorHeader = """
        #ifndef _VM_WIDGET_COMPRESSOR_H_
        #define _VM_WIDGET_COMPRESSOR_H_

        #if DEBUG
        #define WIDGET_CHECKSUM_PAGES	1
        #elif WIDGET_TRACE
        #define WIDGET_TRACE_PAGES	1
        #endif

        #define WIDGET_VERIFY		WIDGET_CHECKSUM_PAGES	/* an object-like macro: its body's value */
        #define widget_assert(e)	((void)(DEBUG && (e)))	/* a function-like one: no #if tests it */
        #define WIDGET_PAGE_SHIFT	0x1F

        #endif /* _VM_WIDGET_COMPRESSOR_H_ */
        """;

    [Fact]
    public void A_macro_defined_under_a_varied_condition_or_as_one_varies_with_it_to_a_fixpoint()
    {
        var derived = DerivedMacros.Of(CompressorHeader);

        var closure = derived.Closure(["DEBUG"]);

        Assert.Contains("WIDGET_CHECKSUM_PAGES", closure);
        Assert.Contains("WIDGET_VERIFY", closure);
        // An #elif depends on the conditions before it.
        Assert.Contains("WIDGET_TRACE_PAGES", closure);
        Assert.DoesNotContain("widget_assert", closure);
        Assert.DoesNotContain("WIDGET_PAGE_SHIFT", closure);
    }

    [Fact]
    public void Names_nothing_varies_derive_nothing()
    {
        var derived = DerivedMacros.Of(CompressorHeader);

        Assert.Equal(["KASAN"], derived.Closure(["KASAN"]).ToArray());
        // The include guard and the hex digits of 0x1F are not macros anything derives from a varied one.
        Assert.DoesNotContain("x1F", derived.Closure(["_VM_WIDGET_COMPRESSOR_H_"]));
    }
}
