using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Workers;

/// <summary>
/// The supervised scan's side of <see cref="ScanSupervisor"/>: it appends to its parse journal the key of each unit
/// before libclang starts on it (<c>S "key"</c>) and again when the unit is done (<c>D "key"</c>), one line each, so that
/// when the process dies the supervisor knows which units were being read. It reads the supervisor's verdicts: units
/// that crashed the parser in an earlier run (reported failed, not parsed again) and suspects (parsed first, one at a
/// time, so that a second crash names its unit).
/// </summary>
public sealed partial class ParseJournal : IDisposable
{
    /// <summary>The hidden scan option that makes a scan supervised: the journal's folder follows it.</summary>
    public const string Option = "--parse-journal";

    /// <summary>The environment variable that tells a supervised scan its supervisor's process id, from its first instant.</summary>
    public const string SupervisorVariable = "PARASCOPE_SUPERVISOR";

    public const string JournalFileName = "journal";
    public const string VerdictsFileName = "verdicts.json";

    private static volatile string? _openFolder;

    private readonly object _gate = new();
    private readonly FileStream _journal;
    private readonly SupervisorVerdicts _verdicts;

    private ParseJournal(string folder, FileStream journal, SupervisorVerdicts verdicts)
    {
        Folder = folder;
        _journal = journal;
        _verdicts = verdicts;
    }

    public string Folder { get; }

    /// <summary>The journal in FOLDER, started empty, with the verdicts the supervisor left there; or why it cannot be.</summary>
    public static Checked<ParseJournal> Open(string folder)
    {
        try
        {
            var verdictsPath = Path.Combine(folder, VerdictsFileName);
            var verdicts = File.Exists(verdictsPath)
                ? JsonSerializer.Deserialize<SupervisorVerdicts>(File.ReadAllBytes(verdictsPath)) ?? new SupervisorVerdicts()
                : new SupervisorVerdicts();
            var journal = new FileStream(Path.Combine(folder, JournalFileName), FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
            _openFolder = folder;
            return Checked<ParseJournal>.Of(new ParseJournal(folder, journal, verdicts));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return new InputError($"{folder}: not a parse journal's folder ({exception.Message})");
        }
    }

    /// <summary>
    /// The journal of the scan the supervisor started: as <see cref="Open"/>, and (Linux) this process gets SIGTERM when
    /// the supervisor dies, even by SIGKILL, so that no scan goes on with nobody to read it; a supervisor already gone
    /// ends it the same way.
    /// </summary>
    public static Checked<ParseJournal> OpenSupervised(string folder)
    {
        var opened = Open(folder);
        if (opened.Error is null && OperatingSystem.IsLinux() && Supervisor() is { } supervisor)
        {
            _ = Prctl(PrSetPdeathsig, SigTerm);
            if (GetParentId() != supervisor)
            {
                _ = Kill(Environment.ProcessId, SigTerm);
            }
        }
        return opened;
    }

    /// <summary>
    /// The key a unit is journalled under: its path, arch and configuration (a unit is read once per configuration), and
    /// the board of a board variant (read in its unit's own configuration, so the board alone tells the two reads apart).
    /// </summary>
    public static string KeyOf(SourceUnit unit) =>
        unit.Platform is null ? $"{unit.RelativePath}\t{unit.Arch}\t{unit.Configuration}" : $"{unit.RelativePath}\t{unit.Arch}\t{unit.Configuration}\t{unit.Platform}";

    /// <summary>UNIT as a unit that crashed the parser in an earlier run is reported; null when it did not.</summary>
    public ParsedUnit? Crashed(SourceUnit unit) =>
        _verdicts.Crashed.TryGetValue(KeyOf(unit), out var exit) ? ParseWorkerPool.Crashed(unit, exit) : null;

    /// <summary>Whether UNIT was being read when an earlier run died, with other units: it is read alone, first.</summary>
    public bool IsSuspect(SourceUnit unit) => _verdicts.Suspects.Contains(KeyOf(unit));

    public void Started(SourceUnit unit) => Append('S', unit);

    public void Finished(SourceUnit unit) => Append('D', unit);

    private void Append(char mark, SourceUnit unit)
    {
        // One write per line, unbuffered: what reached the kernel survives this process's crash.
        var line = Encoding.UTF8.GetBytes($"{mark} {JsonSerializer.Serialize(KeyOf(unit))}\n");
        lock (_gate)
        {
            _journal.Write(line);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _journal.Dispose();
        }
    }

    /// <summary>
    /// An interrupted supervised scan removes its journal's folder itself (its supervisor may be gone: SIGKILL), and is
    /// told whether it is supervised, from its first instant (<see cref="SupervisorVariable"/>): then its supervisor
    /// alone says that the scan stopped, once for both processes. (Whether the supervisor still lives cannot be told
    /// reliably: the parent-death signal reaches some threads before getppid() shows the new parent on all.)
    /// </summary>
    public static bool Abandon()
    {
        if (_openFolder is { } folder)
        {
            ScanSupervisor.Remove(folder);
        }
        return Supervisor() is not null;
    }

    /// <summary>The process id of this process's supervisor, when it is a supervised scan.</summary>
    private static int? Supervisor() =>
        int.TryParse(Environment.GetEnvironmentVariable(SupervisorVariable), System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>
    /// The units a journal's TEXT shows started and not done (more starts than ends: a unit read again after the
    /// first reading was displaced is journalled twice), in the order first started, and those done. A last line
    /// without its newline was cut by the crash: a start not yet made, or an end not yet known, so it is left out.
    /// </summary>
    public static (ImmutableArray<string> Unfinished, ImmutableHashSet<string> Done) Read(string text)
    {
        var balance = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        var done = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var start = 0;
        for (var end = text.IndexOf('\n', start); end >= 0; start = end + 1, end = text.IndexOf('\n', start))
        {
            var line = text.AsSpan(start, end - start);
            if (line.Length < 3 || line[1] != ' ' || line[0] is not ('S' or 'D') || KeyIn(line[2..]) is not { } key)
            {
                continue;
            }
            if (!balance.TryGetValue(key, out var open))
            {
                order.Add(key);
            }
            balance[key] = open + (line[0] == 'S' ? 1 : -1);
            if (line[0] == 'D')
            {
                done.Add(key);
            }
        }
        return ([.. order.Where(k => balance[k] > 0)], done.ToImmutable());
    }

    private static string? KeyIn(ReadOnlySpan<char> json)
    {
        try
        {
            return JsonSerializer.Deserialize<string>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private const int PrSetPdeathsig = 1;
    internal const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nint argument);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentId();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int process, int signal);
}

/// <summary>What the supervisor tells the scan it restarts (the journal's folder holds it as JSON).</summary>
public sealed record SupervisorVerdicts
{
    /// <summary>Units that crashed the parser, by journal key, with the exit code the scan died with.</summary>
    public ImmutableDictionary<string, int> Crashed { get; init; } = ImmutableDictionary<string, int>.Empty;
    /// <summary>Units being read with others when the scan died: read alone, first (in discovery order).</summary>
    public ImmutableHashSet<string> Suspects { get; init; } = [];
}
