using System.Runtime.InteropServices;

namespace Parascope.Clang;

/// <summary>
/// The C allocator libclang allocates from (glibc's malloc on Linux). A disposed translation unit frees its memory to
/// malloc, which keeps it: glibc gives each thread that allocates an arena of its own (up to 8 per core), and a parse
/// runs on a thread of its own, so every arena ends up holding the high-water mark of the largest units parsed in it.
/// On xnu-2050 x86_64 that was ~420 MB resident after the parse phase, beyond everything the managed heap held
/// (docs/speed.md, "Where the memory goes"). Elsewhere (macOS, musl) both calls do nothing.
/// </summary>
public static class NativeHeap
{
    // Parameters of glibc's mallopt (malloc.h).
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD
    private const int ArenaMax = -8; // M_ARENA_MAX

    /// <summary>Blocks from this size up are mapped on their own and unmapped when freed.</summary>
    public const int MappedFrom = 256 * 1024;

    /// <summary>Free memory at the top of an arena beyond this is given back at once.</summary>
    public const int TrimAbove = 1024 * 1024;

    /// <summary>
    /// Sets malloc up for parsing on COUNT threads, from now on: at most COUNT arenas (glibc's M_ARENA_MAX: one per
    /// parsing thread, so that parses do not wait on each other's arena), blocks of <see cref="MappedFrom"/> and more
    /// mapped on their own (M_MMAP_THRESHOLD) and free memory over <see cref="TrimAbove"/> at an arena's top given
    /// back (M_TRIM_THRESHOLD). Left alone, glibc raises both thresholds each time a large mapped block is freed (up to
    /// 32 and 64 MB), so that after the first large unit libclang's big buffers stay in the arenas. Measured on
    /// xnu-2050 x86_64: the arena limit alone took the peak from ~1,030 to ~800 MB, the thresholds (with the other
    /// changes of that day) from 631 to 415 MB.
    /// </summary>
    public static void Tune(int count)
    {
        if (OperatingSystem.IsLinux())
        {
            Call(() => mallopt(ArenaMax, Math.Max(1, count)));
            Call(() => mallopt(MmapThreshold, MappedFrom));
            Call(() => mallopt(TrimThreshold, TrimAbove));
        }
    }

    /// <summary>Gives the free memory malloc holds back to the system (every arena; glibc's malloc_trim).</summary>
    public static void Trim()
    {
        if (OperatingSystem.IsLinux())
        {
            Call(() => malloc_trim(0));
        }
    }

    private static void Call(Func<int> call)
    {
        try
        {
            call();
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without glibc's tuning entry points (musl): its allocator keeps less anyway.
        }
        catch (DllNotFoundException)
        {
            // No "libc" to load under that name: nothing to tune.
        }
    }

#pragma warning disable CS8981, IDE1006 // named as in the C library
    [DllImport("libc")] private static extern int mallopt(int param, int value);
    [DllImport("libc")] private static extern int malloc_trim(nuint pad);
#pragma warning restore CS8981, IDE1006
}
