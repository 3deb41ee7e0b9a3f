using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Reports;

/// <summary>One report file to write: where, and in which format.</summary>
public sealed record ReportOutput(string Path, ReportFormat Format);

/// <summary>
/// The one place that handles output files, for every command: each is checked before the work starts (a format,
/// a folder that exists and takes a new file), then written atomically; with none, the report goes to standard output.
/// </summary>
public static class ReportOutputs
{
    /// <summary>
    /// The outputs of PATHS: each format from its extension, or <paramref name="namedFormat"/> (a --format option)
    /// when it is the only file or its extension names none.
    /// </summary>
    public static Checked<ImmutableArray<ReportOutput>> Check(IReadOnlyList<string> paths, ReportFormat? namedFormat, bool hasFormatOption)
    {
        var outputs = ImmutableArray.CreateBuilder<ReportOutput>();
        foreach (var path in paths)
        {
            var format = paths.Count == 1 && namedFormat is not null ? namedFormat : ReportFormats.FromExtension(path) ?? namedFormat;
            if (format is null)
            {
                return new InputError($"{path}: cannot tell the format from the extension; use .json, .sarif, .html, .md or .txt"
                                      + (hasFormatOption ? ", or --format" : string.Empty));
            }
            if (Unwritable(path) is { } reason)
            {
                return new InputError($"{path}: {reason}");
            }
            outputs.Add(new ReportOutput(path, format.Value));
        }
        return Checked<ImmutableArray<ReportOutput>>.Of(outputs.ToImmutable());
    }

    /// <summary>Writes every output file atomically, or the report to <paramref name="standardOutput"/> when there is none.</summary>
    public static void Write(ScanResult result, ImmutableArray<ReportOutput> outputs, TextWriter standardOutput, ReportFormat standardFormat, bool colour = false)
    {
        if (outputs.IsEmpty)
        {
            standardOutput.Write(ReportWriter.ToText(result, standardFormat, colour));
            standardOutput.Flush();
        }
        foreach (var output in outputs)
        {
            ReportWriter.WriteFile(result, output.Format, output.Path);
        }
    }

    /// <summary>One output file of a command that writes something other than a scan report (a graph): checked the same way.</summary>
    public static InputError? Check(string path) => Unwritable(path) is { } reason ? new InputError($"{path}: {reason}") : null;

    /// <summary>Writes TEXT atomically to PATH, or to <paramref name="standardOutput"/> when there is no path.</summary>
    public static void WriteText(string text, string? path, TextWriter standardOutput)
    {
        if (path is null)
        {
            standardOutput.Write(text);
            standardOutput.Flush();
            return;
        }
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });
    }

    /// <summary>Why a report cannot be written at PATH, found by creating (and removing) a temporary file beside it; null when it can.</summary>
    private static string? Unwritable(string path)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder))
        {
            return "the folder to write the report into does not exist";
        }
        if (Directory.Exists(full))
        {
            return "is a folder, not a file";
        }
        var probe = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.probe");
        try
        {
            AtomicFile.Probe(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"cannot write a file in {folder} ({e.Message.Split('\n')[0]})";
        }
    }
}
