using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Policies;

public sealed class BurstingApiTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task Stop_and_resume_are_ops_only_idempotent_and_audited_once_per_change()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "bursting-team"));
        Assert.Equal(HttpStatusCode.Forbidden, (await submitter.PostAsync("/v1/bursting/stop", null)).StatusCode);
        Assert.Equal(0, await PolicyApi.AuditCountAsync(app, "bursting"));

        (await ops.PostAsJsonAsync("/v1/bursting/stop", new { reason = "incident 42" })).Dispose();
        using var again = await ops.PostAsync("/v1/bursting/stop", null);
        var state = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(state["running"]!.GetValue<bool>());
        Assert.Equal("incident 42", state["stopped"]!["reason"]!.GetValue<string>());
        Assert.Equal(1, await PolicyApi.AuditCountAsync(app, "bursting"));

        var job = (await JobApi.SubmitAsync(submitter)).Id();
        var decision = await PolicyEngineTests.DecisionAsync(ops, job);
        Assert.Equal("wait", decision["action"]!.GetValue<string>());
        Assert.Contains("bursting stopped by ops", decision["chosen"]!.GetValue<string>(), StringComparison.Ordinal);

        (await ops.PostAsync("/v1/bursting/resume", null)).Dispose();
        (await ops.PostAsync("/v1/bursting/resume", null)).Dispose();
        Assert.Equal(2, await PolicyApi.AuditCountAsync(app, "bursting"));
        Assert.Equal("cloud", (await PolicyEngineTests.DecisionAsync(ops, job))["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_drained_provider_gets_no_new_launch_and_an_unknown_provider_is_404()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "drain-team"));
        var job = (await JobApi.SubmitAsync(submitter)).Id();
        var before = await PolicyEngineTests.DecisionAsync(ops, job);
        var provider = before["provider"]!.GetValue<string>();
        (await ops.PostAsJsonAsync($"/v1/providers/{provider}/drain", new { reason = "maintenance" })).Dispose();
        var after = await PolicyEngineTests.DecisionAsync(ops, job);
        Assert.NotEqual(provider, after["provider"]?.GetValue<string>());
        Assert.Equal(1, await PolicyApi.AuditCountAsync(app, $"provider:{provider}"));
        Assert.Equal(HttpStatusCode.NotFound, (await ops.PostAsync("/v1/providers/nope/drain", null)).StatusCode);
        await using var db = app.NewDbContext();
        Assert.Equal(1, await db.CloudStops.CountAsync());
    }
}
