using System.Collections.Immutable;
using System.Text;
using Parascope.Files;
using static Parascope.Discovery.Xnu.StandInFiles;

namespace Parascope.Discovery.Xnu;

/// <summary>sys/sysproto.h and sys/syscall.h from the tree's own makesyscalls.sh.</summary>
internal static class SyscallHeaders
{
    /// <summary>
    /// sys/sysproto.h (the syscall argument structures ~50 units need) and sys/syscall.h, made by the tree's own
    /// bsd/kern/makesyscalls.sh from bsd/kern/syscalls.master; the script is plain sh and awk. It runs in the cache
    /// (old versions write ../sys/sysproto.h relative to their working folder). Missing sh or a failing script
    /// leaves the empty stand-ins in place.
    /// </summary>
    public static Dictionary<string, string> Generate(string root, string cache)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var script = Path.Combine(root, "bsd", "kern", "makesyscalls.sh");
        var master = Path.Combine(root, "bsd", "kern", "syscalls.master");
        if (!Probe.File(script) || !Probe.File(master) || !Probe.File("/bin/sh"))
        {
            return result;
        }
        // Read by the shell, not by us: noted for what keeps discovery's result (DiscoveryMemo).
        ReadLog.Note(script);
        ReadLog.Note(master);
        var work = Path.Combine(cache, "syscalls", "kern");
        var sys = Path.Combine(cache, "syscalls", "sys");
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(sys);
        string? Find(string name) =>
            new[] { Path.Combine(sys, name), Path.Combine(work, name) }.FirstOrDefault(p => File.Exists(p) && File.GetLastWriteTimeUtc(p) >= File.GetLastWriteTimeUtc(master));
        if (Find("sysproto.h") is null || Find("syscall.h") is null)
        {
            foreach (var mode in new[] { "proto", "header" })
            {
                try
                {
                    using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", [script, master, mode])
                    {
                        WorkingDirectory = work,
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                        UseShellExecute = false,
                    });
                    if (process is null)
                    {
                        continue;
                    }
                    var stdout = process.StandardOutput.ReadToEndAsync();
                    var stderr = process.StandardError.ReadToEndAsync();
                    if (!process.WaitForExit(30_000))
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    _ = stdout.Result + stderr.Result;
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    return result;
                }
            }
        }
        foreach (var name in new[] { "sysproto.h", "syscall.h" })
        {
            if (Find(name) is { } path && new FileInfo(path).Length > 0)
            {
                result["sys/" + name] = path;
            }
        }
        return result;
    }
}
