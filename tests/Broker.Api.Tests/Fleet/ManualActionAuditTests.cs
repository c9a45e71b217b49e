using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Broker.Api.Tests.Costs;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Policies;
using Broker.Core.Audit;
using Broker.Core.Capacity;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Fleet;

/// <summary>Budgets, on-prem rates, ledger corrections and ops cancels: one audit record per change, saved with it or not at all.</summary>
public sealed class ManualActionAuditTests(CostsApp app) : IClassFixture<CostsApp>
{
    private async Task<List<AuditRecord>> AuditAsync(string target)
    {
        await using var db = app.NewDbContext();
        return await db.AuditRecords.AsNoTracking().Where(a => a.Target == target).OrderBy(a => a.Seq).ToListAsync();
    }

    private async Task RefuseAuditAsync(string name, string condition)
    {
        await using var db = app.NewDbContext();
        var sql = "ALTER TABLE audit_records ADD CONSTRAINT " + name + " CHECK (NOT (" + condition + "))";
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    private static decimal Number(string? json, string field) => JsonDocument.Parse(json!).RootElement.GetProperty(field).GetDecimal();

    [Fact]
    public async Task Every_budget_change_is_audited_once_with_who_and_before_and_after()
    {
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        (await finance.PutAsJsonAsync("/v1/budgets/audited-budget", new { amountUsd = 100 })).EnsureSuccessStatusCode();
        (await ops.PutAsJsonAsync("/v1/budgets/audited-budget", new { amountUsd = 250, softPercent = 50 })).EnsureSuccessStatusCode();
        using var refused = await ops.PutAsJsonAsync("/v1/budgets/audited-budget", new { amountUsd = -1 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);

        var records = await AuditAsync("budget:audited-budget");
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal("budget.set", r.Action));
        Assert.Equal(["finance", "ops"], records.Select(r => r.ActorRole));
        Assert.Null(records[0].Before);
        Assert.Equal(100m, Number(records[0].After, "amountUsd"));
        Assert.Equal((100m, 250m, 50m), (Number(records[1].Before, "amountUsd"), Number(records[1].After, "amountUsd"),
            Number(records[1].After, "softPercent")));
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.CorrelationId)));
    }

    [Fact]
    public async Task A_failed_audit_write_leaves_the_budget_unset()
    {
        await RefuseAuditAsync("ck_test_refuse_budget", "target = 'budget:refused-budget'");
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        Assert.Equal(HttpStatusCode.InternalServerError,
            (await finance.PutAsJsonAsync("/v1/budgets/refused-budget", new { amountUsd = 100 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await finance.GetAsync("/v1/budgets/refused-budget")).StatusCode);
    }

    [Fact]
    public async Task An_on_prem_rate_is_audited_with_the_rate_it_replaces_and_not_stored_when_its_audit_fails()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var from = DateTimeOffset.UtcNow.AddDays(30);
        (await ops.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = from, usdPerGpuHour = 2.5 })).EnsureSuccessStatusCode();
        await using (var db = app.NewDbContext())
        {
            var record = await db.AuditRecords.AsNoTracking().SingleAsync(a => a.Action == "onprem-rate.add");
            Assert.Equal("ops", record.ActorRole);
            Assert.Equal(2.5m, Number(record.After, "usdPerGpuHour"));
            var rates = await ops.GetFromJsonAsync<JsonElement>("/v1/costs/onprem-rates");
            Assert.Equal(rates.GetProperty("defaultUsdPerGpuHour").GetDecimal(), Number(record.Before, "usdPerGpuHour"));
        }

        await RefuseAuditAsync("ck_test_refuse_rate", "action = 'onprem-rate.add' AND (after->>'usdPerGpuHour') = '3.75'");
        Assert.Equal(HttpStatusCode.InternalServerError,
            (await ops.PostAsJsonAsync("/v1/costs/onprem-rates", new { effectiveFrom = from.AddDays(1), usdPerGpuHour = 3.75 })).StatusCode);
        await using var check = app.NewDbContext();
        Assert.False(await check.OnPremRates.AnyAsync(r => r.UsdPerGpuHour == 3.75m));
    }

    [Fact]
    public async Task A_ledger_correction_is_audited_with_the_cost_before_and_after_and_its_reason()
    {
        var now = DateTimeOffset.UtcNow;
        var job = await app.SubmitAsync("audited-ledger");
        var allocation = await app.AddClosedAsync(job, CapacityType.OnDemand, "aws", 36m, 8, UtcDays.YesterdayAtTen(now), UtcDays.YesterdayAtTen(now).AddHours(1),
            instanceType: "p5.48xlarge", region: "us-east-1");
        await app.RecordAsync(allocation.Id);
        var entry = Assert.Single(await app.EntriesAsync(allocation.Id));
        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        (await finance.PostAsJsonAsync($"/v1/costs/entries/{entry.Id}/corrections", new { costUsd = 30, reason = "host credit" }))
            .EnsureSuccessStatusCode();

        var record = Assert.Single(await AuditAsync($"cost-entry:{entry.Id}"));
        Assert.Equal(("cost-entry.correct", "finance"), (record.Action, record.ActorRole));
        Assert.Equal((entry.Cost, 30m), (Number(record.Before, "costUsd"), Number(record.After, "costUsd")));
        Assert.Equal("host credit", JsonDocument.Parse(record.After!).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Ops_cancelling_a_teams_job_is_audited_once_and_a_team_cancelling_its_own_is_not()
    {
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "cancel-audit"));
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var byOps = (await JobApi.SubmitAsync(team)).Id();
        var byTeam = (await JobApi.SubmitAsync(team)).Id();
        (await ops.PostAsync($"/v1/jobs/{byOps}/cancel", null)).EnsureSuccessStatusCode();
        (await ops.PostAsync($"/v1/jobs/{byOps}/cancel", null)).EnsureSuccessStatusCode();
        (await team.PostAsync($"/v1/jobs/{byTeam}/cancel", null)).EnsureSuccessStatusCode();

        var record = Assert.Single(await AuditAsync($"job:{byOps}"));
        Assert.Equal(("job.cancel", "ops"), (record.Action, record.ActorRole));
        Assert.Equal("pending", JsonDocument.Parse(record.Before!).RootElement.GetProperty("state").GetString());
        Assert.Equal("cancelled", JsonDocument.Parse(record.After!).RootElement.GetProperty("state").GetString());
        Assert.Equal(0, await PolicyApi.AuditCountAsync(app, $"job:{byTeam}"));
    }

    [Fact]
    public async Task A_failed_audit_write_leaves_the_job_ops_tried_to_cancel_as_it_was()
    {
        using var team = app.ClientWithKey(await app.CreateKeyAsync("submitter", "cancel-refused"));
        var id = (await JobApi.SubmitAsync(team)).Id();
        await RefuseAuditAsync("ck_test_refuse_cancel", $"target = 'job:{id}'");
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        Assert.Equal(HttpStatusCode.InternalServerError, (await ops.PostAsync($"/v1/jobs/{id}/cancel", null)).StatusCode);
        var job = (await team.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/v1/jobs/{id}"))!;
        Assert.Equal("pending", job.Str("state"));
    }

}
