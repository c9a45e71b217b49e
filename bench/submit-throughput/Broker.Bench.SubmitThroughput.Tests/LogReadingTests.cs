using Broker.Bench.SubmitThroughput.Derivation;

namespace Broker.Bench.SubmitThroughput.Tests;

public sealed class LogReadingTests
{
    [Fact]
    public void EF_log_groups_commands_and_transaction_boundaries_by_request_and_skips_other_paths()
    {
        var requests = EfCommandLog.Read(CapturedLogs.EfLog(2), "/v1/jobs");

        Assert.Equal(["0HN:00000001", "0HN:00000002"], requests.Select(r => r.RequestId));
        var steps = requests[0].Steps;
        Assert.Collection(steps,
            s => Assert.Equal(CapturedLogs.KeyLookup, Assert.IsType<EfCommand>(s).Text),
            s => Assert.Equal(CapturedLogs.IdempotencyLookup, Assert.IsType<EfCommand>(s).Text),
            s => Assert.Equal("ReadCommitted", Assert.IsType<EfBegin>(s).IsolationLevel),
            s => Assert.Equal(CapturedLogs.InsertBatch, Assert.IsType<EfCommand>(s).Text),
            s => Assert.True(Assert.IsType<EfEnd>(s).Committed));
    }

    [Fact]
    public void EF_parameter_list_gives_each_parameter_its_DbType_or_none()
    {
        var types = EfCommandLog.DbTypes("@p0='?' (DbType = Guid), @name='?', @p2='?' (Size = 4000), @p3='?' (DbType = DateTime)");

        Assert.Equal("Guid", types["p0"]);
        Assert.Null(types["name"]);
        Assert.Null(types["p2"]);
        Assert.Equal("DateTime", types["p3"]);
    }

    [Fact]
    public void Postgres_log_joins_continuation_lines_and_pairs_each_execute_with_its_backends_parameters()
    {
        string[] lines =
        [
            CapturedLogs.Pg(1, "LOG", "statement: DISCARD ALL"),
            CapturedLogs.Pg(1, "LOG", "execute <unnamed>: SELECT a\nFROM t\nWHERE x = $1 AND y = $2"),
            CapturedLogs.Pg(2, "LOG", "execute <unnamed>: SELECT 2"),
            CapturedLogs.Pg(1, "DETAIL", "parameters: $1 = 'it''s, $2 = ''x''', $2 = NULL"),
        ];

        var executes = PostgresLog.ReadExecutes(lines.SelectMany(l => l.Split('\n')));

        Assert.Equal(2, executes.Count);
        Assert.Equal("SELECT a\nFROM t\nWHERE x = $1 AND y = $2", executes[0].Sql);
        Assert.Equal(["it's, $2 = 'x'", null], executes[0].Parameters);
        Assert.Empty(executes[1].Parameters);
    }

    [Fact]
    public void Batches_split_at_semicolons_outside_quotes()
    {
        var statements = SqlText.SplitStatements("INSERT INTO a VALUES ('x;y');\nSELECT \"b;c\" FROM d;\n");

        Assert.Equal(["INSERT INTO a VALUES ('x;y')", "SELECT \"b;c\" FROM d"], statements);
    }

    [Fact]
    public void Placeholders_are_numbered_by_first_appearance_as_Npgsql_sends_them_and_quoted_text_is_left_alone()
    {
        const string sql = "SELECT '@not' FROM t WHERE a = @b AND c = @a OR d = @b";

        Assert.Equal(["b", "a"], SqlText.Parameters(sql));
        Assert.Equal("SELECT '@not' FROM t WHERE a = $1 AND c = $2 OR d = $1", SqlText.Positional(sql));
    }
}
