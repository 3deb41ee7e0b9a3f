using System.IO.Compression;
using System.Text;
using Parascope.Files;

namespace Parascope.Tests.Files;

public sealed class FrameTests
{
    private static ReadOnlySpan<byte> Magic => "TEST"u8;

    private static readonly byte[] Content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"sites\":[]}", 1000)));

    [Fact]
    public void A_stored_frame_is_not_compressed_and_opens_to_its_content()
    {
        var stored = Frame.Wrap(Magic, 1, Content, CompressionLevel.NoCompression);
        var deflated = Frame.Wrap(Magic, 1, Content);

        Assert.True(stored.Length > Content.Length, $"{stored.Length} bytes for {Content.Length}");
        Assert.True(deflated.Length < Content.Length / 10, $"{deflated.Length} bytes for {Content.Length}");
        using var content = Frame.Open(stored, Magic, 1)!;
        using var read = new MemoryStream();
        content.CopyTo(read);
        Assert.Equal(Content, read.ToArray());
    }

    [Theory]
    [InlineData(60)]
    [InlineData(5)]
    [InlineData(0)]
    public void A_frame_with_one_byte_changed_is_not_intact(int at)
    {
        var frame = Frame.Wrap(Magic, 1, Content, CompressionLevel.NoCompression);
        Assert.True(Frame.IsIntact(frame, Magic, 1));

        frame[at] ^= 0x20;

        Assert.False(Frame.IsIntact(frame, Magic, 1));
        Assert.Null(Frame.Open(frame, Magic, 1));
    }

    [Fact]
    public void A_frame_inflated_into_a_pooled_buffer_gives_its_whole_content_however_far_it_inflates()
    {
        // Content deflates ~100x here: far past the first buffer's guess of five times the frame.
        var frame = Frame.Wrap(Magic, 1, Content);

        using var inflated = Frame.Inflate(frame, Magic, 1)!;

        Assert.Equal(Content, inflated.Span.ToArray());
        Assert.Null(Frame.Inflate(frame, Magic, 2));
    }
}
