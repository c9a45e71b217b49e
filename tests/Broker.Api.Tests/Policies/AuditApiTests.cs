using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Policies;

public sealed class AuditApiTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task Creating_and_revoking_a_key_are_audited_without_its_secret_or_hash()
    {
        using var admin = app.ClientWithKey(BrokerApp.AdminKey);
        using var created = await admin.PostAsJsonAsync("/v1/api-keys", new { name = "audited", role = "ops" });
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = body["id"]!.GetValue<string>();
        var secret = body["key"]!.GetValue<string>();
        (await admin.DeleteAsync($"/v1/api-keys/{id}")).Dispose();
        (await admin.DeleteAsync($"/v1/api-keys/{id}")).Dispose();

        await using var db = app.NewDbContext();
        var records = await db.AuditRecords.AsNoTracking().Where(a => a.Target == $"api-key:{id}").OrderBy(a => a.Seq).ToListAsync();
        Assert.Equal(["api-key.create", "api-key.revoke"], records.Select(r => r.Action));
        var hash = await db.ApiKeys.Where(k => k.Id == Guid.Parse(id)).Select(k => k.Hash).SingleAsync();
        foreach (var r in records)
        {
            Assert.Equal("admin", r.ActorRole);
            Assert.DoesNotContain(secret, (r.Before ?? "") + r.After, StringComparison.Ordinal);
            Assert.DoesNotContain(hash, (r.Before ?? "") + r.After, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task The_audit_list_filters_by_actor_and_action_and_pages_newest_first()
    {
        var opsKey = await app.CreateKeyAsync("ops");
        using var ops = app.ClientWithKey(opsKey);
        var opsId = await KeyIdAsync(opsKey);
        for (var i = 1; i <= 3; i++)
        {
            await PolicyApi.ReplaceAsync(ops, "paged-team", $$"""{"maxCloudGpus":{{i}}}""");
        }
        (await ops.PostAsync("/v1/bursting/stop", null)).Dispose();
        (await ops.PostAsync("/v1/bursting/resume", null)).Dispose();

        var first = await PolicyApi.GetAsync(ops, $"/v1/audit?actor={opsId}&action=policy.update&limit=2");
        var page1 = first["items"]!.AsArray();
        Assert.Equal(2, page1.Count);
        Assert.Contains("3", page1[0]!["after"]!.ToJsonString(), StringComparison.Ordinal);
        var next = first["nextCursor"]!.GetValue<string>();
        var second = await PolicyApi.GetAsync(ops, $"/v1/audit?actor={opsId}&action=policy.update&limit=2&cursor={next}");
        Assert.Single(second["items"]!.AsArray());
        Assert.Null(second["nextCursor"]);
        var all = await PolicyApi.GetAsync(ops, $"/v1/audit?actor={opsId}");
        Assert.Equal(["bursting.resume", "bursting.stop", "policy.update", "policy.update", "policy.update"],
            all["items"]!.AsArray().Select(r => r!["action"]!.GetValue<string>()));
        var none = await PolicyApi.GetAsync(ops, $"/v1/audit?actor={opsId}&from=2999-01-01T00:00:00Z");
        Assert.Empty(none["items"]!.AsArray());
    }

    [Theory]
    [InlineData("?cursor=not-a-cursor")]
    [InlineData("?actor=alice")]
    [InlineData("?from=yesterday")]
    [InlineData("?limit=0")]
    public async Task Bad_audit_queries_are_refused_with_400(string query)
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        Assert.Equal(HttpStatusCode.BadRequest, (await ops.GetAsync("/v1/audit" + query)).StatusCode);
    }

    [Theory]
    [InlineData("submitter", "audit-readers")]
    [InlineData("finance", null)]
    public async Task Only_ops_and_admins_read_the_audit(string role, string? team)
    {
        using var caller = app.ClientWithKey(await app.CreateKeyAsync(role, team));
        Assert.Equal(HttpStatusCode.Forbidden, (await caller.GetAsync("/v1/audit")).StatusCode);
        using var admin = app.ClientWithKey(BrokerApp.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/audit")).StatusCode);
    }

    private async Task<Guid> KeyIdAsync(string secret)
    {
        await using var db = app.NewDbContext();
        var prefix = secret[..12];
        return await db.ApiKeys.Where(k => k.Prefix == prefix).Select(k => k.Id).SingleAsync();
    }
}
