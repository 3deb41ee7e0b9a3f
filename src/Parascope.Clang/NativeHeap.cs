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
    private const int ArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h

    /// <summary>
    /// Allocates from at most COUNT arenas from now on (glibc's M_ARENA_MAX): one per parsing thread lets parses run
    /// without waiting on each other's arena and bounds what freed memory arenas can hold.
    /// </summary>
    public static void LimitArenas(int count)
    {
        if (OperatingSystem.IsLinux())
        {
            Call(() => mallopt(ArenaMax, Math.Max(1, count)));
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
