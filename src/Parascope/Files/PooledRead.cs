using System.Buffers;

namespace Parascope.Files;

/// <summary>Reading a source to its end into a buffer rented from the shared pool (a frame's inflated content, a file's bytes).</summary>
internal static class PooledRead
{
    /// <summary>Reads into BUFFER from OFFSET to its end at most; the count read, 0 at the end.</summary>
    public delegate int Reader(byte[] buffer, int offset);

    /// <summary>
    /// Everything READ gives, in a rented buffer of at least GUESS bytes (grown by doubling when full), and its length; the
    /// caller returns the buffer to <see cref="ArrayPool{T}.Shared"/>. A buffer of a read that throws is returned here.
    /// </summary>
    public static (byte[] Buffer, int Length) ToEnd(int guess, Reader read)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(guess);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var count = read(buffer, length);
                if (count == 0)
                {
                    return (buffer, length);
                }
                length += count;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
