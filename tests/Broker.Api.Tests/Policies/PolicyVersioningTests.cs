using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Policies;

public sealed class PolicyVersioningTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task A_write_without_If_Match_is_refused_with_428_and_a_stale_one_with_412()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        using (var missing = await PolicyApi.PutAsync(ops, "etag-team", """{"maxCloudGpus":8}""", null))
        {
            Assert.Equal(HttpStatusCode.PreconditionRequired, missing.StatusCode);
        }
        using (var first = await PolicyApi.PutAsync(ops, "etag-team", """{"maxCloudGpus":8}""", "\"0\""))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        using (var stale = await PolicyApi.PutAsync(ops, "etag-team", """{"maxCloudGpus":16}""", "\"0\""))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        }
        using (var garbage = await PolicyApi.PutAsync(ops, "etag-team", """{"maxCloudGpus":16}""", "\"abc\""))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, garbage.StatusCode);
        }
        var current = await PolicyApi.GetAsync(ops, "/v1/policies/etag-team");
        Assert.Equal(1, current["version"]!.GetValue<int>());
        Assert.Equal(8, current["document"]!["maxCloudGpus"]!.GetValue<int>());
    }

    [Fact]
    public async Task Rollback_restores_the_exact_earlier_document_as_a_new_version()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        const string first = """{"burstingEnabled":true,"allowedProviders":["gcp","aws"],"maxWaitBeforeBurstMinutes":7,"maxPricePerGpuHour":{"spot":9.5}}""";
        await PolicyApi.ReplaceAsync(ops, "rollback-team", first);
        var v1 = await PolicyApi.GetAsync(ops, "/v1/policies/rollback-team");
        await PolicyApi.ReplaceAsync(ops, "rollback-team", """{"burstingEnabled":false}""");
        using var rollback = await ops.PostAsync("/v1/policies/rollback-team/rollback?version=1", null);
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal("\"3\"", rollback.Headers.ETag!.Tag);
        var v3 = await PolicyApi.GetAsync(ops, "/v1/policies/rollback-team");
        Assert.Equal(3, v3["version"]!.GetValue<int>());
        Assert.Equal(1, v3["restoredFrom"]!.GetValue<int>());
        Assert.Equal(v1["document"]!.ToJsonString(), v3["document"]!.ToJsonString());
        await using var db = app.NewDbContext();
        var stored = await db.PolicyVersions.Where(p => p.Scope == "rollback-team").OrderBy(p => p.Version).Select(p => p.Document).ToListAsync();
        Assert.Equal(3, stored.Count);
        Assert.Equal(stored[0], stored[2]);
        var versions = await PolicyApi.GetAsync(ops, "/v1/policies/rollback-team/versions");
        Assert.Equal([3, 2, 1], versions["items"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        using var unknown = await ops.PostAsync("/v1/policies/rollback-team/rollback?version=42", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_team_override_beats_global_and_an_absent_field_falls_back()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await PolicyApi.ReplaceAsync(ops, "global", """{"maxWaitBeforeBurstMinutes":20,"fairShareWeight":2,"maxCloudGpus":32}""");
        await PolicyApi.ReplaceAsync(ops, "override-team", """{"maxWaitBeforeBurstMinutes":3}""");
        await app.CreateKeyAsync("submitter", "plain-team");
        var all = await PolicyApi.GetAsync(ops, "/v1/policies");
        JsonNode Team(string name) => all["items"]!.AsArray().Single(t => t!["team"]!.GetValue<string>() == name)!;
        var over = Team("override-team");
        Assert.Equal(3, over["values"]!["maxWaitBeforeBurstMinutes"]!.GetValue<int>());
        Assert.Equal("team", over["sources"]!["maxWaitBeforeBurstMinutes"]!.GetValue<string>());
        Assert.Equal(2, over["values"]!["fairShareWeight"]!.GetValue<double>());
        Assert.Equal("global", over["sources"]!["fairShareWeight"]!.GetValue<string>());
        Assert.Equal("configuration", over["sources"]!["markets"]!.GetValue<string>());
        var plain = Team("plain-team");
        Assert.Equal(20, plain["values"]!["maxWaitBeforeBurstMinutes"]!.GetValue<int>());
        Assert.Equal("global", plain["sources"]!["maxWaitBeforeBurstMinutes"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_effective_policy_shows_the_on_prem_rate_the_ledger_has_in_force()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await app.CreateKeyAsync("submitter", "rate-team");
        static decimal RateOf(JsonNode all) =>
            all["items"]!.AsArray().Single(t => t!["team"]!.GetValue<string>() == "rate-team")!["onPremRatePerGpuHour"]!.GetValue<decimal>();
        var before = RateOf(await PolicyApi.GetAsync(ops, "/v1/policies"));
        var added = before + 0.75m;
        (await ops.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = DateTimeOffset.UtcNow, usdPerGpuHour = added }))
            .EnsureSuccessStatusCode();
        Assert.Equal(added, RateOf(await PolicyApi.GetAsync(ops, "/v1/policies")));
        (await ops.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = DateTimeOffset.UtcNow.AddDays(3), usdPerGpuHour = added + 1 }))
            .EnsureSuccessStatusCode();
        Assert.Equal(added, RateOf(await PolicyApi.GetAsync(ops, "/v1/policies")));
    }

    [Fact]
    public async Task A_submitter_sees_only_its_own_teams_effective_policy()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await PolicyApi.ReplaceAsync(ops, "other-team", """{"maxCloudGpus":4}""");
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "own-team"));
        var mine = await PolicyApi.GetAsync(submitter, "/v1/policies");
        Assert.Equal(["own-team"], mine["items"]!.AsArray().Select(t => t!["team"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await submitter.GetAsync("/v1/policies/own-team")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await submitter.GetAsync("/v1/policies/other-team")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await submitter.GetAsync("/v1/policies/other-team/versions")).StatusCode);
    }

    [Theory]
    [InlineData("submitter", "forbidden-team")]
    [InlineData("finance", null)]
    public async Task A_non_ops_key_cannot_write_and_writes_no_audit_record(string role, string? team)
    {
        using var caller = app.ClientWithKey(await app.CreateKeyAsync(role, team));
        using var put = await PolicyApi.PutAsync(caller, "forbidden-team", """{"maxCloudGpus":1}""", "\"0\"");
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        using var rollback = await caller.PostAsync("/v1/policies/forbidden-team/rollback?version=1", null);
        Assert.Equal(HttpStatusCode.Forbidden, rollback.StatusCode);
        Assert.Equal(0, await PolicyApi.AuditCountAsync(app, "policy:forbidden-team"));
        await using var db = app.NewDbContext();
        Assert.False(await db.PolicyVersions.AnyAsync(p => p.Scope == "forbidden-team"));
    }

    [Fact]
    public async Task Every_policy_write_produces_exactly_one_audit_record_with_who_and_before_and_after()
    {
        var opsKey = await app.CreateKeyAsync("ops");
        using var ops = app.ClientWithKey(opsKey);
        await PolicyApi.ReplaceAsync(ops, "audited-team", """{"maxCloudGpus":8}""");
        Assert.Equal(1, await PolicyApi.AuditCountAsync(app, "policy:audited-team"));
        await PolicyApi.ReplaceAsync(ops, "audited-team", """{"maxCloudGpus":12}""");
        Assert.Equal(2, await PolicyApi.AuditCountAsync(app, "policy:audited-team"));
        await using var db = app.NewDbContext();
        var last = await db.AuditRecords.Where(a => a.Target == "policy:audited-team").OrderByDescending(a => a.At).FirstAsync();
        Assert.Equal("policy.update", last.Action);
        Assert.Equal("ops", last.ActorRole);
        Assert.NotNull(last.ActorKeyId);
        Assert.False(string.IsNullOrEmpty(last.CorrelationId));
        Assert.Contains("8", last.Before, StringComparison.Ordinal);
        Assert.Contains("12", last.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_audit_write_leaves_the_policy_unchanged()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await using (var db = app.NewDbContext())
        {
            await db.Database.ExecuteSqlRawAsync(
                "ALTER TABLE audit_records ADD CONSTRAINT ck_test_refuse_audit CHECK (target <> 'policy:audit-fails')");
        }
        using var put = await PolicyApi.PutAsync(ops, "audit-fails", """{"maxCloudGpus":2}""", "\"0\"");
        Assert.Equal(HttpStatusCode.InternalServerError, put.StatusCode);
        var current = await PolicyApi.GetAsync(ops, "/v1/policies/audit-fails");
        Assert.Equal(0, current["version"]!.GetValue<int>());
        await using var check = app.NewDbContext();
        Assert.False(await check.PolicyVersions.AnyAsync(p => p.Scope == "audit-fails"));
    }

    [Fact]
    public async Task Audit_records_cannot_be_changed_or_deleted()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        await PolicyApi.ReplaceAsync(ops, "append-only", """{"maxCloudGpus":3}""");
        await using var db = app.NewDbContext();
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_records"));
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit_records SET action = 'x'"));
        Assert.Equal(1, await PolicyApi.AuditCountAsync(app, "policy:append-only"));
    }
}
