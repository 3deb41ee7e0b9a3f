using System.Diagnostics;
using Parascope.Model;

namespace Parascope.Files;

/// <summary>
/// A tree's changes as the operating system reports them (inotify on Linux, FSEvents on macOS, through
/// <see cref="FileSystemWatcher"/>): what `parascope scan --watch` waits on between scans. A change is any file or folder
/// created, deleted, renamed or written anywhere under the root; the files a scan itself writes (its reports and their
/// temporary files, its cache when that lies under the root: the caller names them) are not changes, or every scan would
/// start the next. When
/// the system drops events (its queue overflowed), the change is the whole tree; so is the root's going (`rm -rf` and a new
/// unpacking), and its coming back, when it is watched again.
/// </summary>
public sealed class TreeWatch : IDisposable
{
    /// <summary>What <see cref="NextChange"/> returns for changes the system dropped: the scan must look at everything.</summary>
    public const string Everything = "*";

    private readonly string _root;
    private FileSystemWatcher _watcher;
    private readonly HashSet<string> _ignoredFiles;
    private readonly string? _ignoredFolder;
    private readonly object _gate = new();
    private readonly SortedSet<string> _changed = new(StringComparer.Ordinal);
    private long _lastChangeAt;
    private bool _rootGone;

    /// <summary>Watching ROOT from now on; throws what starting the system's watcher throws.</summary>
    private TreeWatch(string root, HashSet<string> ignoredFiles, string? ignoredFolder)
    {
        _root = root;
        _ignoredFiles = ignoredFiles;
        _ignoredFolder = ignoredFolder;
        _watcher = Watcher();
    }

    /// <summary>
    /// Starts watching ROOT (a folder), not counting IGNOREDFILES or anything under IGNOREDFOLDER. An input error when
    /// the system will not watch it (no such folder, inotify's limits reached).
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
        try
        {
            return Checked<TreeWatch>.Of(new TreeWatch(full, ignored, folder));
        }
        catch (Exception e) when (IsWatchFailure(e))
        {
            // Linux: "The configured user limit (N) on the number of inotify watches was reached" — the message says which.
            return new InputError($"{root}: cannot be watched: {e.Message.TrimEnd('.')}");
        }
    }

    private static bool IsWatchFailure(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException;

    /// <summary>A system watcher of the root, its events told to this watch, started. Throws what starting it throws.</summary>
    private FileSystemWatcher Watcher()
    {
        var watcher = new FileSystemWatcher(_root)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            // The largest queue the system allows: a checkout of thousands of files should not overflow it.
            InternalBufferSize = 64 * 1024,
        };
        try
        {
            watcher.Changed += (_, e) => Saw(e.FullPath);
            watcher.Created += (_, e) => Saw(e.FullPath);
            watcher.Deleted += (_, e) => Saw(e.FullPath);
            watcher.Renamed += (_, e) =>
            {
                Saw(e.OldFullPath);
                Saw(e.FullPath);
            };
            watcher.Error += (_, _) => SawEverything();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch
        {
            watcher.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Blocks until something changed and then nothing more for QUIET (so that a save, a checkout, a build's writes are
    /// one change, and the scan that follows sees a settled tree); returns what changed, root-relative with '/'
    /// separators, sorted (<see cref="Everything"/> when the system dropped events), and forgets it.
    /// </summary>
    public IReadOnlyList<string> NextChange(TimeSpan quiet, CancellationToken cancel = default)
    {
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            LookAtRoot();
            lock (_gate)
            {
                if (_changed.Count == 0)
                {
                    // Not woken by an event when the root goes or comes back: looked at again every 200 ms.
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

    /// <summary>
    /// The root gone is a change of everything; back, it is watched again (a new system watcher: the old one went with the
    /// folder it watched) and that is a change of everything too. Outside the lock the events take.
    /// </summary>
    private void LookAtRoot()
    {
        if (!Directory.Exists(_root))
        {
            if (!_rootGone)
            {
                _rootGone = true;
                SawEverything();
            }
            return;
        }
        if (!_rootGone)
        {
            return;
        }
        try
        {
            var watcher = Watcher();
            _watcher.Dispose();
            _watcher = watcher;
            _rootGone = false;
            SawEverything();
        }
        catch (Exception e) when (IsWatchFailure(e))
        {
            // Gone again, or not yet whole: looked at again next time.
        }
    }

    private void Saw(string path)
    {
        if (_ignoredFiles.Contains(path) || (_ignoredFolder is not null && (path + Path.DirectorySeparatorChar).StartsWith(_ignoredFolder, StringComparison.Ordinal)))
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

    public void Dispose() => _watcher.Dispose();
}
