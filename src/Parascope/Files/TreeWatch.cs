using System.Diagnostics;
using Parascope.Model;

namespace Parascope.Files;

/// <summary>
/// A tree's changes as the operating system reports them (inotify on Linux, FSEvents on macOS, through
/// <see cref="FileSystemWatcher"/>): what `parascope scan --watch` waits on between scans. A change is any file or folder
/// created, deleted, renamed or written anywhere under the root; the files a scan itself writes (its reports and their
/// temporary files, its cache when that lies under the root) are not changes, or every scan would start the next. When
/// the system drops events (its queue overflowed), the change is the whole tree.
/// </summary>
public sealed class TreeWatch : IDisposable
{
    /// <summary>What <see cref="NextChange"/> returns for changes the system dropped: the scan must look at everything.</summary>
    public const string Everything = "*";

    private readonly string _root;
    private readonly FileSystemWatcher _watcher;
    private readonly HashSet<string> _ignoredFiles;
    private readonly string? _ignoredFolder;
    private readonly object _gate = new();
    private readonly SortedSet<string> _changed = new(StringComparer.Ordinal);
    private long _lastChangeAt;

    private TreeWatch(string root, FileSystemWatcher watcher, HashSet<string> ignoredFiles, string? ignoredFolder)
    {
        _root = root;
        _watcher = watcher;
        _ignoredFiles = ignoredFiles;
        _ignoredFolder = ignoredFolder;
    }

    /// <summary>
    /// Starts watching ROOT (a folder), not counting IGNOREDFILES (written atomically: their temporary siblings
    /// `.NAME.*.tmp` are not counted either) or anything under IGNOREDFOLDER. An input error when the system will not
    /// watch it (no such folder, inotify's limits reached).
    /// </summary>
    public static Checked<TreeWatch> Start(string root, IEnumerable<string> ignoredFiles, string? ignoredFolder)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            return new InputError($"{root}: not a folder, cannot be watched");
        }
        var ignored = ignoredFiles.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var folder = ignoredFolder is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(ignoredFolder)) + Path.DirectorySeparatorChar;
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(full)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                // The largest queue the system allows: a checkout of thousands of files should not overflow it.
                InternalBufferSize = 64 * 1024,
            };
            var watch = new TreeWatch(full, watcher, ignored, folder);
            watcher.Changed += (_, e) => watch.Saw(e.FullPath);
            watcher.Created += (_, e) => watch.Saw(e.FullPath);
            watcher.Deleted += (_, e) => watch.Saw(e.FullPath);
            watcher.Renamed += (_, e) =>
            {
                watch.Saw(e.OldFullPath);
                watch.Saw(e.FullPath);
            };
            watcher.Error += (_, _) => watch.SawEverything();
            watcher.EnableRaisingEvents = true;
            return Checked<TreeWatch>.Of(watch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            watcher?.Dispose();
            // Linux: "The configured user limit (N) on the number of inotify watches was reached" — the message says which.
            return new InputError($"{root}: cannot be watched: {e.Message.TrimEnd('.')}");
        }
    }

    /// <summary>
    /// Blocks until something changed and then nothing more for QUIET (so that a save, a checkout, a build's writes are
    /// one change, and the scan that follows sees a settled tree); returns what changed, root-relative with '/'
    /// separators, sorted (<see cref="Everything"/> when the system dropped events), and forgets it.
    /// </summary>
    public IReadOnlyList<string> NextChange(TimeSpan quiet, CancellationToken cancel = default)
    {
        lock (_gate)
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (_changed.Count == 0)
                {
                    Monitor.Wait(_gate, 200);
                    continue;
                }
                var waited = Stopwatch.GetElapsedTime(_lastChangeAt);
                if (waited < quiet)
                {
                    Monitor.Wait(_gate, quiet - waited);
                    continue;
                }
                var changed = _changed.ToList();
                _changed.Clear();
                return changed;
            }
        }
    }

    private void Saw(string path)
    {
        if (_ignoredFiles.Contains(path) || IsTemporaryOfIgnored(path) || (_ignoredFolder is not null && (path + Path.DirectorySeparatorChar).StartsWith(_ignoredFolder, StringComparison.Ordinal)))
        {
            return;
        }
        Record(Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/'));
    }

    private void SawEverything() => Record(Everything);

    private void Record(string relative)
    {
        lock (_gate)
        {
            _changed.Add(relative);
            _lastChangeAt = Stopwatch.GetTimestamp();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>AtomicFile's temporary file for one of the ignored files: `.NAME.PID.tmp` beside it.</summary>
    private bool IsTemporaryOfIgnored(string path)
    {
        var name = Path.GetFileName(path);
        if (!name.StartsWith('.') || !name.EndsWith(".tmp", StringComparison.Ordinal))
        {
            return false;
        }
        var withoutSuffix = name[1..^".tmp".Length];
        var dot = withoutSuffix.LastIndexOf('.');
        return dot > 0 && _ignoredFiles.Contains(Path.Combine(Path.GetDirectoryName(path)!, withoutSuffix[..dot]));
    }

    public void Dispose() => _watcher.Dispose();
}
