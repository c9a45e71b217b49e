using System.Net;
using System.Text.Json;
using Broker.Api.Tests.Costs;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Policies;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Tests.Fleet;

/// <summary>Terminate on rows the test writes (no Slurm): idempotency, races, refusals, and the audit record's all-or-nothing.</summary>
public sealed class TerminateTests(CostsApp app) : IClassFixture<CostsApp>
{
    private async Task<Allocation> RunningAsync(string team)
    {
        var allocation = await FleetRows.AddAsync(app, team, AllocationState.Running, market: CapacityType.OnDemand);
        await using var db = app.NewDbContext();
        await db.Database.ExecuteSqlAsync($"UPDATE jobs SET state = 'Running' WHERE id = {allocation.JobId}");
        return allocation;
    }

    [Fact]
    public async Task Two_racing_terminates_change_and_audit_the_instance_once_and_a_repeat_changes_nothing()
    {
        var allocation = await RunningAsync("term-race");
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));

        var racing = await Task.WhenAll(ops.PostAsync($"/v1/instances/{allocation.Id}/terminate", null),
            ops.PostAsync($"/v1/instances/{allocation.Id}/terminate", null));
        Assert.All(racing, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        using var repeat = await ops.PostAsync($"/v1/instances/{allocation.Id}/terminate", null);
        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        var body = JsonDocument.Parse(await repeat.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("closed", "terminated"), (body.GetProperty("state").GetString(), body.GetProperty("end").GetString()));

        await using var db = app.NewDbContext();
        var audit = await db.AuditRecords.AsNoTracking().Where(a => a.Target == $"instance:{allocation.Id}").ToListAsync();
        var record = Assert.Single(audit);
        Assert.Equal(("instance.terminate", "ops"), (record.Action, record.ActorRole));
        Assert.NotNull(record.ActorKeyId);
        Assert.False(string.IsNullOrEmpty(record.CorrelationId));
        using var before = JsonDocument.Parse(record.Before!);
        using var after = JsonDocument.Parse(record.After!);
        Assert.Equal(("running", "running"), (before.RootElement.GetProperty("state").GetString(), before.RootElement.GetProperty("jobState").GetString()));
        Assert.Equal(("releasing", "terminated", "pending"), (after.RootElement.GetProperty("state").GetString(),
            after.RootElement.GetProperty("end").GetString(), after.RootElement.GetProperty("jobState").GetString()));
        var row = await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == allocation.Id);
        Assert.Equal((AllocationState.Closed, AllocationEnd.Terminated), (row.State, row.End!.Value));
        var job = await db.Jobs.AsNoTracking().Include(j => j.Events).SingleAsync(j => j.Id == allocation.JobId);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Contains(job.Events, e => e.Kind == JobEventKind.Preempted && e.Message.Contains("Terminated by ops", StringComparison.Ordinal));
        Assert.Equal(1, await db.CostRecordings.CountAsync(r => r.AllocationId == allocation.Id));
    }

    [Fact]
    public async Task Unknown_and_on_prem_ids_are_404_and_an_instance_that_ended_otherwise_is_409()
    {
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        var onPrem = await FleetRows.AddAsync(app, "term-refused", AllocationState.Running, market: CapacityType.OnPrem);
        var finished = await FleetRows.AddAsync(app, "term-refused", AllocationState.Closed, end: AllocationEnd.Completed, endReason: "exit code 0");

        Assert.Equal(HttpStatusCode.NotFound, (await ops.PostAsync($"/v1/instances/{Guid.NewGuid()}/terminate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.PostAsync("/v1/instances/not-an-id/terminate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.PostAsync($"/v1/instances/{onPrem.Id}/terminate", null)).StatusCode);
        using var conflict = await ops.PostAsync($"/v1/instances/{finished.Id}/terminate", null);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        (await JobApi.ProblemAsync(conflict)).Dispose();
        await using var db = app.NewDbContext();
        Assert.False(await db.AuditRecords.AnyAsync(a => a.Action == "instance.terminate"
            && (a.Target == $"instance:{onPrem.Id}" || a.Target == $"instance:{finished.Id}")));
    }

    [Theory]
    [InlineData("finance", null)]
    [InlineData("submitter", "term-forbidden")]
    public async Task Only_ops_terminate_and_a_refused_request_changes_and_audits_nothing(string role, string? team)
    {
        var allocation = await RunningAsync("term-forbidden");
        using var caller = app.ClientWithKey(await app.CreateKeyAsync(role, team));
        Assert.Equal(HttpStatusCode.Forbidden, (await caller.PostAsync($"/v1/instances/{allocation.Id}/terminate", null)).StatusCode);
        Assert.Equal(0, await PolicyApi.AuditCountAsync(app, $"instance:{allocation.Id}"));
        await using var db = app.NewDbContext();
        Assert.Equal(AllocationState.Running, (await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == allocation.Id)).State);
    }

    [Fact]
    public async Task A_failed_audit_write_leaves_the_instance_running_and_its_job_unchanged()
    {
        var allocation = await RunningAsync("term-audit-fails");
        await using (var db = app.NewDbContext())
        {
            var sql = "ALTER TABLE audit_records ADD CONSTRAINT ck_test_refuse_terminate CHECK (target <> 'instance:" + allocation.Id + "')";
            await db.Database.ExecuteSqlRawAsync(sql);
        }
        using var ops = app.ClientWithKey(await app.CreateKeyAsync("ops"));
        Assert.Equal(HttpStatusCode.InternalServerError, (await ops.PostAsync($"/v1/instances/{allocation.Id}/terminate", null)).StatusCode);
        await using var check = app.NewDbContext();
        var row = await check.Allocations.AsNoTracking().SingleAsync(a => a.Id == allocation.Id);
        Assert.Equal((AllocationState.Running, (AllocationEnd?)null), (row.State, row.End));
        Assert.Equal(JobState.Running, (await check.Jobs.AsNoTracking().SingleAsync(j => j.Id == allocation.JobId)).State);
    }
}
