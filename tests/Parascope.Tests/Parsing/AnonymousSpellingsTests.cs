using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

public sealed class AnonymousSpellingsTests
{
    [Theory]
    [InlineData("(unnamed union at /src/xnu/osfmk/mach/ndr.h:117:2)", "(unnamed union at osfmk/mach/ndr.h:117:2)")]
    [InlineData("no member named 'x' in 'struct (unnamed at /src/xnu/bsd/kern/a.c:1:8)'", "no member named 'x' in 'struct (unnamed at bsd/kern/a.c:1:8)'")]
    [InlineData("(lambda at /src/xnu/iokit/Kernel/../Kernel/IOLib.cpp:40:3)::operator()", "(lambda at iokit/Kernel/IOLib.cpp:40:3)::operator()")]
    public void A_location_under_the_root_is_named_relative_to_it(string spelling, string expected) =>
        Assert.Equal(expected, AnonymousSpellings.Relative(spelling, "/src/xnu"));

    [Theory]
    [InlineData("(unnamed struct at /usr/lib/llvm-22/lib/clang/22/include/stddef.h:10:1)")]
    [InlineData("(unnamed struct at /src/xnu-other/osfmk/a.h:1:1)")]
    [InlineData("pmap_enter")]
    [InlineData("(anonymous namespace)::helper")]
    public void A_name_without_a_location_under_the_root_is_left_as_it_is(string spelling) =>
        Assert.Equal(spelling, AnonymousSpellings.Relative(spelling, "/src/xnu"));
}
