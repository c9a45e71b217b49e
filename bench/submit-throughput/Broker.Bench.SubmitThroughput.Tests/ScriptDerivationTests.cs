using Broker.Bench.SubmitThroughput.Derivation;

namespace Broker.Bench.SubmitThroughput.Tests;

public sealed class ScriptDerivationTests
{
    private static PgbenchScript Derive(int submits = 3) =>
        ScriptDerivation.Derive(CapturedLogs.EfLog(submits), CapturedLogs.PostgresLog(submits), "/v1/jobs").Script;

    [Fact]
    public void Values_bound_alike_in_every_submit_are_passed_as_defines_under_their_column_names()
    {
        var defines = Derive().Defines.ToDictionary(d => d.Key, d => d.Value);

        Assert.Equal("6457384c8052", defines["hash"]);
        Assert.Equal("bench", defines["team"]);
        Assert.Equal("bench", defines["jobs_team"]);
        Assert.Equal("project", defines["job_labels_key"]);
        Assert.Equal("it's", defines["job_labels_value"]);
        Assert.DoesNotContain("jobs_id", defines.Keys);
    }

    [Fact]
    public void A_value_that_differs_per_submit_but_is_shared_between_statements_becomes_one_variable()
    {
        var text = Derive().Text;

        // The job id (in the job and in its label) and the Idempotency-Key (in the lookup and in the insert).
        Assert.Equal(2, Count(text, "to_hex(:jobs_id::bigint)"));
        Assert.Equal(2, Count(text, "lpad(:idempotency_key::text, 19, '0')"));
        Assert.Contains("\\set jobs_id random(", text, StringComparison.Ordinal);
        Assert.Contains("\\set idempotency_key random(", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_that_differ_per_submit_are_randomized_by_type()
    {
        var text = Derive().Text;

        Assert.Contains("VALUES ((lpad(to_hex((extract(epoch FROM now()) * 1000000)::bigint), 16, '0') || lpad(to_hex(:jobs_id::bigint), 16, '0'))::uuid, "
            + "lpad(:idempotency_key::text, 19, '0'), ('b' || lpad(:jobs_name::text, 19, '0')), now(), :jobs_team, now())", text, StringComparison.Ordinal);
        Assert.DoesNotContain("@", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Lookups_are_single_round_trips_and_the_transactions_batch_is_one_pipeline_after_its_begin()
    {
        var text = Derive().Text;

        Assert.Contains("WHERE a.hash = :hash AND a.revoked_at IS NULL\nLIMIT 1;\n-- round trip 2", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("""
            \startpipeline
            BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED;
            INSERT INTO jobs
            """.ReplaceLineEndings("\n"), text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith("RETURNING seq;\nINSERT INTO job_labels (job_id, key, value)\nVALUES ((lpad(to_hex((extract(epoch FROM now()) * 1000000)::bigint), 16, '0') || lpad(to_hex(:jobs_id::bigint), 16, '0'))::uuid, :job_labels_key, :job_labels_value);\n\\endpipeline\n-- round trip 4\nCOMMIT;\n",
            text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Submits_that_issued_different_sql_are_refused()
    {
        var ef = CapturedLogs.EfLog(3, insertBatch: CapturedLogs.InsertBatch.Replace("RETURNING seq", "RETURNING seq, xmin", StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => ScriptDerivation.Derive(ef, CapturedLogs.PostgresLog(3), "/v1/jobs"));
        Assert.Contains("0HN:00000003", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_statement_the_server_did_not_log_is_reported()
    {
        var pg = CapturedLogs.PostgresLog(3).Where(l => !l.Contains("job_labels", StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => ScriptDerivation.Derive(CapturedLogs.EfLog(3), pg, "/v1/jobs"));
        Assert.Contains("statement 4 of submit 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_capture_cannot_tell_constants_from_per_submit_values_and_is_refused() =>
        Assert.Throws<InvalidDataException>(() => Derive(submits: 1));

    [Fact]
    public void Random_text_keeps_the_captured_length_and_only_plain_characters_of_the_common_prefix()
    {
        Assert.Equal("bench-capture-r", BindingPlanner.Prefix(["bench-capture-r'1-aaaaaaaaaaaaaaaaaa", "bench-capture-r'1-bbbbbbbbbbbbbbbbbb"])[..15]);
        Assert.Equal("bench-capture-r-1", BindingPlanner.Prefix(["bench-capture-r'1-aaaaaaaaaaaaaaaaaa", "bench-capture-r'1-bbbbbbbbbbbbbbbbbb"]));
        Assert.Equal(new string('x', 45), BindingPlanner.Prefix([new string('a', 64), new string('b', 64)]));
        Assert.Equal("", BindingPlanner.Prefix(["k-1", "k-2"]));
    }

    private static int Count(string text, string part) =>
        (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
