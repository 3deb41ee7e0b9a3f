using Parascope.Clang;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

public sealed class OverAlignedArraysTests
{
    private static OverAlignedArrays.ArraySite Site(int column) => new(1, column, "wbuf_t", "char", 8);

    [Fact]
    public void An_array_of_an_over_aligned_typedef_becomes_an_aligned_array_of_the_underlying_type() =>
        Assert.Equal("\t__attribute__((aligned(8))) char widget_buf[24];", OverAlignedArrays.Rewrite("\twbuf_t widget_buf[24];", [Site(19)]));

    [Fact]
    public void A_site_whose_type_is_not_the_diagnosed_one_is_left_alone() =>
        Assert.Null(OverAlignedArrays.Rewrite("\tother_t widget_buf[24];", [Site(20)]));

    [Fact]
    public void Only_clangs_over_aligned_array_error_names_a_site()
    {
        var error = new ParseDiagnostic(DiagnosticLevel.Error,
            "size of array element of type 'wbuf_t' (aka 'char') (1 bytes) isn't a multiple of its alignment (8 bytes)", "w.c", 3, 14);
        Assert.Equal(new OverAlignedArrays.ArraySite(3, 14, "wbuf_t", "char", 8), OverAlignedArrays.Site(error));
        Assert.Null(OverAlignedArrays.Site(error with { Message = "use of undeclared identifier 'wbuf_t'" }));
    }

    [Fact]
    public void A_unit_declaring_arrays_of_an_over_aligned_char_type_parses_clean()
    {
        using var tree = new TempTree();
        // As xnu-8792's uio_internal.h: a stack buffer type aligned as the structures later built in it.
        tree.Write("bsd/sys/widget_uio.h", """
            union widget_iovecs { unsigned long long base; void *ptr; };
            typedef char __attribute__((aligned(_Alignof(union widget_iovecs)))) widget_stackbuf_t;
            #define WIDGET_UIO_SIZEOF(n) (32 + 16 * (n))
            """);
        tree.Write("bsd/kern/widget_io.c", """
            #include "../sys/widget_uio.h"
            struct widget_req { int count; widget_stackbuf_t inline_buf[16]; };
            int
            widget_read(void)
            {
            	widget_stackbuf_t uio_buf[WIDGET_UIO_SIZEOF(1)];
            	_Static_assert(sizeof(uio_buf) == 48, "elements laid out at their size");
            	return (int)sizeof(uio_buf);
            }
            """);
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "arm64");

        var unit = Assert.Single(outcome.Result!.Health.Units);
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
    }
}
