namespace Parascope.Reports;

/// <summary>
/// Writes a file so that readers see the old content or the new, never half of it. The temporary files being
/// written are known, so that an interrupted run (Ctrl-C, SIGTERM) removes them and publishes nothing more.
/// </summary>
public static class AtomicFile
{
    private static readonly object Gate = new();
    private static readonly HashSet<string> Pending = new(StringComparer.Ordinal);
    private static bool _abandoned;

    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        lock (Gate)
        {
            if (_abandoned)
            {
                throw new OperationCanceledException("interrupted: no more output is written");
            }
            Pending.Add(temporary);
        }
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            lock (Gate)
            {
                // After an interruption the report is not published, even when its bytes are complete.
                if (_abandoned)
                {
                    throw new OperationCanceledException("interrupted: no more output is written");
                }
                File.Move(temporary, full, overwrite: true);
            }
        }
        finally
        {
            lock (Gate)
            {
                Pending.Remove(temporary);
            }
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// For an interrupted run: removes every temporary file being written and refuses any later publication. Returns
    /// the files removed.
    /// </summary>
    public static IReadOnlyList<string> Abandon()
    {
        lock (Gate)
        {
            _abandoned = true;
            var removed = new List<string>();
            foreach (var temporary in Pending)
            {
                try
                {
                    File.Delete(temporary);
                    removed.Add(temporary);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort: the process is ending.
                }
            }
            Pending.Clear();
            return removed;
        }
    }
}
