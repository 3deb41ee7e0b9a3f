namespace Parascope.Tests.Caching;

/// <summary>Damage done to a store kept beside a whole-scan entry, for the tests that it is then no store.</summary>
internal static class KeptStoreDamage
{
    /// <summary>
    /// Damages the one file with EXTENSION under CACHE: "truncated" keeps half its bytes, "flipped" inverts its last byte
    /// (the frame's digest no longer matches); any other DAMAGE is what OTHER makes of its bytes.
    /// </summary>
    public static void Apply(string cache, string extension, string damage, Func<byte[], byte[]> other)
    {
        var store = Assert.Single(Directory.GetFiles(cache, "*" + extension, SearchOption.AllDirectories));
        var bytes = File.ReadAllBytes(store);
        File.WriteAllBytes(store, damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "flipped" => [.. bytes[..^1], (byte)(bytes[^1] ^ 0xff)],
            _ => other(bytes),
        });
    }
}
