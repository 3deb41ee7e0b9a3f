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

    /// <summary>The temporary file this process writes PATH's new content to before it replaces PATH: `.NAME.PID.tmp` beside it.</summary>
    public static string TemporaryOf(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
    }

    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var temporary = TemporaryOf(full);
        FileStream created;
        lock (Gate)
        {
            if (_abandoned)
            {
                throw new OperationCanceledException("interrupted: no more output is written");
            }
            // Created under the lock Abandon takes, as the probe is: an exit between the file's creation and its being
            // known would leave it behind.
            Pending.Add(temporary);
            try
            {
                created = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
            }
            catch
            {
                Pending.Remove(temporary);
                throw;
            }
        }
        try
        {
            using (var stream = created)
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
    /// Creates PROBE and removes it again, to learn that a report can be written beside it. Both under the lock that
    /// <see cref="Abandon"/> takes: an interrupted run exits as soon as Abandon returns, and a probe it did not know of
    /// was left behind when that exit came between the two. After an interruption nothing is created (the process is
    /// exiting). Throws what creating the file throws.
    /// </summary>
    public static void Probe(string probe)
    {
        lock (Gate)
        {
            if (_abandoned)
            {
                return;
            }
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
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
