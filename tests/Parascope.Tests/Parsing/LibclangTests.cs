using Parascope.Parsing;

namespace Parascope.Tests.Parsing;

/// <summary>A reproduction command names the clang of the libclang that parsed, not a fixed version.</summary>
public sealed class LibclangTests
{
    [Theory]
    [InlineData("clang version 22.1.8 (https://github.com/llvm/llvm-project ca7933e47d3a)", "clang-22")]
    [InlineData("Debian clang version 14.0.6", "clang-14")]
    [InlineData("Apple clang version 15.0.0 (clang-1500.3.9.4)", "clang-15")]
    [InlineData("something else", "clang")]
    public void The_driver_name_follows_the_major_version(string version, string driver) =>
        Assert.Equal(driver, Libclang.DriverName(version));
}
