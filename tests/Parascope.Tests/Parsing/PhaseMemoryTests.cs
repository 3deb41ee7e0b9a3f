namespace Parascope.Tests.Parsing;

/// <summary>The --timings memory samples; in the measurement collection: they read the process's heap.</summary>
[Collection(ProcessMeasurementCollection.Name)]
public sealed class PhaseMemoryTests
{
    [Fact]
    public void With_the_live_variable_a_sample_counts_only_what_is_alive_not_what_the_last_collection_saw()
    {
        CollectWhileHoldingAnArray();
        // What the last collection saw: the array and whatever else the process holds (a fixed bound on the heap failed
        // in a CI run, where the rest of the process held 205 MB, not the array).
        var seen = GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
        Environment.SetEnvironmentVariable(PhaseMemory.LiveVariable, "1");
        try
        {
            var sample = PhaseMemory.Now("test");
            Assert.True(sample.HeapBytes < seen - (200 << 20),
                $"heap {sample.HeapBytes >> 20} MB, the last collection saw {seen >> 20} MB: the dropped 256 MB array was counted");
            Assert.True(sample.PeakResidentBytes >= sample.ResidentBytes);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PhaseMemory.LiveVariable, null);
        }
    }

    /// <summary>A collection that sees 256 MB alive; the array is dropped on return (a frame of its own, so that no debug build keeps it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CollectWhileHoldingAnArray()
    {
        var held = new byte[256 << 20];
        held[^1] = 1;
        GC.Collect();
        GC.KeepAlive(held);
    }
}
