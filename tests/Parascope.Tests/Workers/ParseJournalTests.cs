using System.Collections.Immutable;
using System.Text.Json;
using Parascope.Model;
using Parascope.Workers;

namespace Parascope.Tests.Workers;

/// <summary>The supervised scan's parse journal: what it writes, what the supervisor reads of it, and the verdicts it then gives.</summary>
public sealed class ParseJournalTests
{
    [Fact]
    public void A_unit_started_and_not_done_is_unfinished_and_a_unit_done_is_not()
    {
        var (unfinished, done) = ParseJournal.Read("S \"a\"\nS \"b\"\nD \"a\"\n");

        Assert.Equal<string>(["b"], unfinished);
        Assert.Equal<string>(["a"], done);
    }

    [Fact]
    public void A_last_line_cut_by_the_crash_is_left_out()
    {
        Assert.Empty(ParseJournal.Read("S \"a\"\nD \"a\"\nS \"b").Unfinished);
        Assert.Equal<string>(["a"], ParseJournal.Read("S \"a\"\nD \"a").Unfinished);
    }

    [Fact]
    public void A_unit_journalled_twice_is_unfinished_only_when_its_last_reading_did_not_end()
    {
        Assert.Equal<string>(["a"], ParseJournal.Read("S \"a\"\nD \"a\"\nS \"a\"\n").Unfinished);
        Assert.Empty(ParseJournal.Read("S \"a\"\nD \"a\"\nS \"a\"\nD \"a\"\n").Unfinished);
    }

    [Fact]
    public void Lines_that_are_no_journal_lines_are_ignored()
    {
        var (unfinished, done) = ParseJournal.Read("garbage\nX \"a\"\nS not-json\nS\n\nS \"b\"\n");

        Assert.Equal<string>(["b"], unfinished);
        Assert.Empty(done);
    }

    [Fact]
    public void A_key_with_tabs_and_newlines_in_its_path_reads_back_as_written()
    {
        using var folder = new TempTree();
        var unit = Unit("osfmk/i386/odd\tname\n.c", "DEVELOPMENT");
        var journal = ParseJournal.Open(folder.Root).Value!;

        journal.Started(unit);
        journal.Dispose();

        Assert.Equal<string>([ParseJournal.KeyOf(unit)], ParseJournal.Read(File.ReadAllText(Path.Combine(folder.Root, ParseJournal.JournalFileName))).Unfinished);
    }

    [Fact]
    public void A_board_variant_is_journalled_apart_from_its_unit_read_in_the_same_configuration()
    {
        var unit = Unit("osfmk/arm/pmap/pmap.c");
        var board = unit with { Platform = "T6000", Variant = true };

        Assert.NotEqual(ParseJournal.KeyOf(unit), ParseJournal.KeyOf(board));
        Assert.EndsWith("\tT6000", ParseJournal.KeyOf(board), StringComparison.Ordinal);
    }

    [Fact]
    public void A_unit_the_verdicts_say_crashed_is_failed_with_the_reason_and_a_suspect_is_known()
    {
        using var folder = new TempTree();
        var (crashed, suspect, other) = (Unit("osfmk/i386/deep.c"), Unit("osfmk/i386/near.c"), Unit("osfmk/i386/far.c"));
        File.WriteAllBytes(Path.Combine(folder.Root, ParseJournal.VerdictsFileName), JsonSerializer.SerializeToUtf8Bytes(new SupervisorVerdicts
        {
            Crashed = ImmutableDictionary<string, int>.Empty.Add(ParseJournal.KeyOf(crashed), 139),
            Suspects = [ParseJournal.KeyOf(suspect)],
        }));
        using var journal = ParseJournal.Open(folder.Root).Value!;

        var failed = journal.Crashed(crashed)!;
        Assert.Equal(UnitStatus.Failed, failed.Status);
        Assert.Equal("the parser died reading this unit (exit code 139, SIGSEGV); the scan went on without it", failed.Errors[0].Message);
        Assert.Null(journal.Crashed(suspect));
        Assert.True(journal.IsSuspect(suspect));
        Assert.False(journal.IsSuspect(other));
    }

    [Fact]
    public void A_folder_that_is_not_a_journals_is_a_one_line_error()
    {
        using var folder = new TempTree();
        var missing = Path.Combine(folder.Root, "gone");

        Assert.StartsWith($"{missing}: not a parse journal's folder", ParseJournal.Open(missing).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_unit_unfinished_at_a_crash_is_the_culprit_and_the_suspects_read_before_it_are_innocent()
    {
        var before = new SupervisorVerdicts { Suspects = ["a", "b", "c"] };

        var after = ScanSupervisor.Judge(before, ["b"], ["a"], 139);

        Assert.Equal(139, after.Crashed["b"]);
        Assert.Equal<string>(["c"], after.Suspects);
    }

    [Fact]
    public void Several_units_unfinished_at_a_crash_are_the_suspects_of_the_next_run()
    {
        var after = ScanSupervisor.Judge(new SupervisorVerdicts(), ["a", "b"], [], 139);

        Assert.Empty(after.Crashed);
        Assert.Equal<string>(["a", "b"], after.Suspects.Order());
    }

    private static SourceUnit Unit(string relativePath, string? configuration = null) => new()
    {
        Path = "/tree/" + relativePath,
        RelativePath = relativePath,
        Language = SourceLanguage.C,
        Arch = "x86_64",
        Configuration = configuration,
    };
}
