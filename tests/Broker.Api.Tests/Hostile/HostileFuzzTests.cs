using Broker.HostileInput.Fuzzing;

namespace Broker.Api.Tests.Hostile;

/// <summary>The short version of bench/hostile-input: the same seeded mutation engine, in-process, a few hundred requests.</summary>
public sealed class HostileFuzzTests(HostileApp app) : IClassFixture<HostileApp>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_seeded_fuzz_run_gets_no_5xx_and_rejected_requests_change_no_row(int seed)
    {
        var verdict = await new FuzzRun(app.Client, app.Targets, seed).RunAsync(app.ConnectionString, ledger => ledger.Requests < 250);

        var ledger = verdict.Ledger;
        Assert.True(ledger.Status5xx == 0 && ledger.TransportErrors == 0,
            $"{ledger.Status5xx} 5xx, {ledger.TransportErrors} transport errors in {ledger.Requests} requests:\n" + string.Join("\n", ledger.Failures));
        Assert.True(verdict.RowsChangedByRejected == 0, string.Join("\n", verdict.ChangedRows.Take(20)));
        Assert.True(verdict.Violations.Count == 0, string.Join("\n", verdict.Violations));
        Assert.True(ledger.Accepted > 0, "the run should include accepted requests");
    }
}
