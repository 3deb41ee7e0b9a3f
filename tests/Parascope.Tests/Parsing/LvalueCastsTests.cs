using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

public sealed class LvalueCastsTests
{
    [Theory]
    [InlineData("\t(u_int8_t *)ptr += len;", 2, "\t(*(u_int8_t * *)&(ptr)) += len;")]
    [InlineData("\t*((uint32_t *)attr)++ = 0;", 4, "\t*((*(uint32_t * *)&(attr)))++ = 0;")]
    [InlineData("\t++((uint32_t *)buf);", 5, "\t++((*(uint32_t * *)&(buf)));")]
    [InlineData("\t(struct mbuf *)m->m_pkthdr.len = size;", 2, "\t(*(struct mbuf * *)&(m->m_pkthdr.len)) = size;")]
    [InlineData("\t(vm_offset_t)r[i].address = 0;", 2, "\t(*(vm_offset_t *)&(r[i].address)) = 0;")]
    public void A_gcc_lvalue_cast_becomes_a_store_through_a_pointer(string line, int column, string expected) =>
        Assert.Equal(expected, LvalueCasts.Rewrite(line, [(1, column)]));

    [Theory]
    [InlineData("\tWIDGET_ALLOC((caddr_t)t, wait);", "\tWIDGET_ALLOC((*(caddr_t *)&(t)), wait);")]
    [InlineData("\tWIDGET_PAIR(n, (struct widget *) w->next);", "\tWIDGET_PAIR(n, (*(struct widget * *)&(w->next)));")]
    [InlineData("\tWIDGET_PAIR(f(a, b), (long)x);", "\tWIDGET_PAIR(f(a, b), (*(long *)&(x)));")]
    public void A_cast_passed_to_a_macro_that_assigns_to_it_is_rewritten_in_the_argument(string line, string expected) =>
        Assert.Equal(expected, LvalueCasts.Rewrite(line, [(1, 2)]));

    [Fact]
    public void A_macro_argument_that_only_starts_with_a_parenthesis_is_left_alone() =>
        Assert.Null(LvalueCasts.Rewrite("\tWIDGET_PAIR((a) + b, (x));", [(1, 2)]));

    [Fact]
    public void A_site_that_is_not_a_cast_is_left_alone() =>
        Assert.Null(LvalueCasts.Rewrite("\tREBASE(file->symtab, delta);", [(1, 2)]));

    [Fact]
    public void A_unit_written_with_lvalue_casts_parses_clean()
    {
        using var tree = new TempTree();
        tree.Write("bsd/isofs/widget_attr.c", """
            typedef unsigned char u_int8_t;
            typedef unsigned int uint32_t;
            struct attr { void *cursor; };
            typedef char *caddr_t;
            extern caddr_t widget_cluster(int how);
            #define WIDGET_CLALLOC(p, how) (p) = widget_cluster(how)
            void widget_pack(struct attr *a, void *buf, int len)
            {
            	*((uint32_t *)buf)++ = 0;
            	(u_int8_t *)buf += len;
            	(char *)a->cursor = buf;
            	WIDGET_CLALLOC((caddr_t)a->cursor, len);
            }
            """);
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "i386");

        var unit = Assert.Single(outcome.Result!.Health.Units);
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
    }
}
