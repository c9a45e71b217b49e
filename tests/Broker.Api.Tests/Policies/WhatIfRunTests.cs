using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.WhatIf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Policies;

/// <summary>The what-if run itself: access, validation, one run per identical request, claims, failure and progress.</summary>
public sealed class WhatIfRunTests(WhatIfApp app) : IClassFixture<WhatIfApp>, IAsyncLifetime
{
    private static readonly DateTimeOffset From = WhatIfApp.Day.AddDays(-10);

    public Task InitializeAsync() => app.InitializeWorldAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("submitter")]
    [InlineData("finance")]
    public async Task A_non_ops_key_cannot_start_a_what_if_and_leaves_no_audit_record(string role)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(role, role == "submitter" ? "wi-denied" : null));
        using var response = await WhatIfApp.PostAsync(client, "wi-denied", WhatIfApp.Window(new { }, From, From.AddDays(1)));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await PolicyApi.AuditCountAsync(app, "policy:wi-denied"));
        await using var db = app.NewDbContext();
        Assert.False(await db.WhatIfRuns.AnyAsync(r => r.Scope == "wi-denied"));
    }

    [Theory]
    [InlineData("""{"policy":{"maxWaitBeforeBurstMinutes":-5},"from":"F","to":"T"}""", "policy.maxWaitBeforeBurstMinutes", "must not be negative")]
    [InlineData("""{"policy":{"markets":["spot","spot"]},"from":"F","to":"T"}""", "policy.markets[1]", "named twice")]
    [InlineData("""{"policy":{"maxPricePerGpuHour":{"onDemand":0.01}},"from":"F","to":"T"}""", "policy.maxPricePerGpuHour.onDemand", "below every on-demand offer")]
    [InlineData("""{"from":"F","to":"T"}""", "policy", "name the proposed policy")]
    [InlineData("""{"policy":{},"from":"T","to":"F"}""", "to", "must be after from")]
    [InlineData("""{"policy":{},"from":"F","to":"F"}""", "to", "must be after from")]
    [InlineData("""{"policy":{},"from":"F","to":"FAR"}""", "to", "at most")]
    [InlineData("""{"policy":{},"from":"F"}""", "to", "required")]
    [InlineData("""{"policy":{},"from":"FUTURE","to":"FAR"}""", "from", "must not be in the future")]
    [InlineData("""{"policy":{},"trace":"../../etc/passwd"}""", "trace", "is not a stored trace")]
    [InlineData("""{"policy":{},"trace":"large","from":"F","to":"T"}""", "trace", "not both")]
    public async Task A_bad_what_if_request_is_refused_with_422_naming_the_field(string template, string field, string reason)
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var body = template.Replace("\"FUTURE\"", Time(DateTimeOffset.UtcNow.AddDays(1))).Replace("\"FAR\"", Time(From.AddDays(200)))
            .Replace("\"F\"", Time(From)).Replace("\"T\"", Time(From.AddDays(1)));
        using var response = await ops.PostAsync("/v1/policies/wi-invalid/what-if", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for {field}: {errors}");
        Assert.Contains(reason, messages[0].GetString(), StringComparison.Ordinal);
        await using var db = app.NewDbContext();
        Assert.False(await db.WhatIfRuns.AnyAsync(r => r.Scope == "wi-invalid"));
    }

    [Theory]
    [InlineData("""{"policy":{},"from":"F","to":"T","speed":"fast"}""")]
    [InlineData("""{"policy":{"maxWait":5},"from":"F","to":"T"}""")]
    [InlineData("""{"policy":{},"from":"yesterday","to":"T"}""")]
    public async Task Unknown_fields_and_wrong_types_in_a_what_if_are_refused_with_400(string template)
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var body = template.Replace("\"F\"", Time(From)).Replace("\"T\"", Time(From.AddDays(1)));
        using var response = await ops.PostAsync("/v1/policies/wi-invalid/what-if", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_identical_request_while_one_is_queued_or_running_returns_that_run_and_is_audited_once()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var body = WhatIfApp.Window(new { maxWaitBeforeBurstMinutes = 30 }, From, From.AddDays(1));
        var first = await StartAsync(ops, "wi-dedup", body);
        var again = await StartAsync(ops, "wi-dedup", body);
        Assert.Equal(first, again);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var claim = await scope.ServiceProvider.GetRequiredService<WhatIfClaims>().TryClaimAsync(first, default);
            Assert.NotNull(claim);
        }
        Assert.Equal("running", (await PolicyApi.GetAsync(ops, $"/v1/what-if/{first}"))["state"]!.GetValue<string>());
        Assert.Equal(first, await StartAsync(ops, "wi-dedup", body));
        Assert.NotEqual(first, await StartAsync(ops, "wi-dedup", WhatIfApp.Window(new { maxWaitBeforeBurstMinutes = 31 }, From, From.AddDays(1))));
        await using var db = app.NewDbContext();
        Assert.Equal(2, await db.AuditRecords.CountAsync(a => a.Target == "policy:wi-dedup" && a.Action == WhatIfService.AuditAction));
        Assert.Equal(0, await db.PolicyVersions.CountAsync(p => p.Scope == "wi-dedup"));
    }

    [Fact]
    public async Task Two_workers_on_one_run_compute_it_once_and_a_stale_claim_is_taken_over()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await app.AddRunAsync("wi-twice", From.AddHours(1), 1, TimeSpan.FromHours(1), spotOk: false);
        var id = await StartAsync(ops, "wi-twice", WhatIfApp.Window(new { }, From, From.AddDays(1)));
        await Task.WhenAll(app.ExecuteAsync(id), app.ExecuteAsync(id));
        await using (var db = app.NewDbContext())
        {
            var run = await db.WhatIfRuns.AsNoTracking().SingleAsync(r => r.Id == id);
            Assert.Equal(WhatIfState.Succeeded, run.State);
            Assert.Equal(1, run.Attempts);
            Assert.Equal(1, await db.WhatIfChanges.CountAsync(c => c.RunId == id));
        }

        var crashed = await StartAsync(ops, "wi-twice", WhatIfApp.Window(new { maxWaitBeforeBurstMinutes = 0 }, From, From.AddDays(1)));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<WhatIfClaims>().TryClaimAsync(crashed, default));
        }
        await app.ExecuteAsync(crashed); // the first worker's claim is alive: this one stands aside
        await using (var db = app.NewDbContext())
        {
            Assert.Equal(WhatIfState.Running, (await db.WhatIfRuns.AsNoTracking().SingleAsync(r => r.Id == crashed)).State);
            await db.WhatIfRuns.Where(r => r.Id == crashed).ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, DateTimeOffset.UtcNow.AddMinutes(-10)));
        }
        await app.ExecuteAsync(crashed);
        var done = await PolicyApi.GetAsync(ops, $"/v1/what-if/{crashed}");
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());
        Assert.Equal(2, done["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_corrupt_stored_trace_fails_the_run_with_its_reason_for_good()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var run = await app.RunAsync(ops, "wi-broken", new { policy = new { }, trace = "broken" });
        Assert.Equal("failed", run["state"]!.GetValue<string>());
        var error = run["error"]!.GetValue<string>();
        Assert.Contains("stored trace 'broken' is corrupt", error, StringComparison.Ordinal);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), error, StringComparison.Ordinal);
        Assert.Null(run["result"]);
        await app.ExecuteAsync(run["id"]!.GetValue<Guid>()); // a retry of a failed run does nothing
        Assert.Equal("failed", (await PolicyApi.GetAsync(ops, $"/v1/what-if/{run["id"]}"))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_window_without_jobs_succeeds_with_an_empty_result()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var run = await app.RunAsync(ops, "global", WhatIfApp.Window(new { }, From.AddDays(-40), From.AddDays(-39)));
        Assert.Equal("succeeded", run["state"]!.GetValue<string>());
        Assert.Equal(0, run["result"]!["jobs"]!.GetValue<int>());
        Assert.Equal(0, run["result"]!["changedJobs"]!.GetValue<int>());
    }

    [Fact]
    public async Task Progress_climbs_while_the_replay_runs_and_ends_at_100_with_the_result()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var id = await StartAsync(ops, "wi-trace-0", new { policy = new { markets = new[] { "on-demand" } }, trace = "large" });
        var seen = new SortedSet<int>();
        var work = app.ExecuteAsync(id);
        while (!work.IsCompleted)
        {
            await using var db = app.NewDbContext();
            seen.Add(await db.WhatIfRuns.Where(r => r.Id == id).Select(r => r.Percent).SingleAsync());
            await Task.Delay(10);
        }
        await work;
        var run = await PolicyApi.GetAsync(ops, $"/v1/what-if/{id}");
        Assert.Equal("succeeded", run["state"]!.GetValue<string>());
        Assert.Equal(100, run["percent"]!.GetValue<int>());
        Assert.Equal(3000, run["result"]!["jobs"]!.GetValue<int>());
        Assert.True(seen.Count(p => p is > 0 and < 100) >= 3, $"percent values seen while running: {string.Join(",", seen)}");
    }

    [Fact]
    public async Task An_unknown_run_is_404()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var missing = await ops.GetAsync($"/v1/what-if/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var garbage = await ops.GetAsync("/v1/what-if/not-a-run/changes");
        Assert.Equal(HttpStatusCode.NotFound, garbage.StatusCode);
    }

    private static async Task<Guid> StartAsync(HttpClient ops, string scope, object body)
    {
        using var response = await WhatIfApp.PostAsync(ops, scope, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal($"/v1/what-if/{run["id"]}", response.Headers.Location?.OriginalString);
        return run["id"]!.GetValue<Guid>();
    }

    private static string Time(DateTimeOffset t) => $"\"{t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\"";
}
