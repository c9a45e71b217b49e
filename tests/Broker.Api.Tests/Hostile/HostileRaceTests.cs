using System.Net;
using Broker.HostileInput.Database;
using Broker.HostileInput.Json;
using Broker.HostileInput.Requests;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Hostile;

/// <summary>Idempotency races: one key sent concurrently makes exactly one job; the others get it back (same body) or 409.</summary>
public sealed class HostileRaceTests(HostileApp app) : IClassFixture<HostileApp>
{
    [Theory]
    [InlineData(2, "different")]
    [InlineData(4, "different")]
    [InlineData(8, "different")]
    [InlineData(16, "different")]
    [InlineData(8, "same")]
    [InlineData(6, "mixed")]
    public async Task Concurrent_submits_with_one_idempotency_key_make_exactly_one_job(int copies, string bodies)
    {
        var key = $"race-{copies}-{bodies}";
        string NameOf(int i) => bodies switch { "same" => "race", "different" => $"race-{i}", _ => i % 2 == 0 ? "race" : $"race-{i}" };
        var requests = Enumerable.Range(0, copies).Select(i => Submit(NameOf(i), key)).ToList();
        var before = await app.FingerprintAsync();

        var responses = await Task.WhenAll(requests.Select(r => app.Client.SendAsync(r.ToMessage())));

        var after = await app.FingerprintAsync();
        var winner = Assert.Single(Enumerable.Range(0, copies), i => responses[i].StatusCode == HttpStatusCode.Created);
        for (var i = 0; i < copies; i++)
        {
            var expected = i == winner ? HttpStatusCode.Created : NameOf(i) == NameOf(winner) ? HttpStatusCode.OK : HttpStatusCode.Conflict;
            var body = await responses[i].Content.ReadAsStringAsync();
            Assert.True(expected == responses[i].StatusCode, $"request {i}: {(int)responses[i].StatusCode} {body}");
            if (expected == HttpStatusCode.Conflict)
            {
                Assert.Null(HostileApp.ProblemDocumentError(responses[i], body));
            }
            responses[i].Dispose();
        }
        await using var db = app.NewDbContext();
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.IdempotencyKey == key));
        AssertOnlyTheJobsRowsGrew(before, after);
    }

    [Fact]
    public async Task A_reused_key_with_another_body_is_409_and_changes_no_row()
    {
        using (var first = await app.Client.SendAsync(Submit("first", "reused-key").ToMessage()))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }
        var before = await app.FingerprintAsync();

        using var second = await app.Client.SendAsync(Submit("second", "reused-key").ToMessage());

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Null(HostileApp.ProblemDocumentError(second, await second.Content.ReadAsStringAsync()));
        Assert.Equal("", DatabaseSnapshot.Differences(before, await app.FingerprintAsync()));
    }

    private HostileRequest Submit(string name, string idempotencyKey) =>
        HostileRequest.Json("POST", "/v1/jobs", ValidBodies.Job().With("name", new JText(name)), HostileRequest.Bearer(app.Targets.SubmitterKey))
            with { Headers = [new("Idempotency-Key", idempotencyKey)] };

    /// <summary>One job with its submitted event and its two labels; nothing else of Broker's (Hangfire may queue a placement pass).</summary>
    private static void AssertOnlyTheJobsRowsGrew(IReadOnlyDictionary<string, DatabaseSnapshot.TableState> before,
        IReadOnlyDictionary<string, DatabaseSnapshot.TableState> after)
    {
        var grown = new Dictionary<string, long> { ["public.jobs"] = 1, ["public.job_events"] = 1, ["public.job_labels"] = 2 };
        foreach (var table in before.Keys.Where(t => t.StartsWith("public.", StringComparison.Ordinal)))
        {
            var growth = after[table].Rows - before[table].Rows;
            Assert.True(grown.GetValueOrDefault(table) == growth && (growth > 0 || after[table] == before[table]), $"{table} grew by {growth}");
        }
    }
}
