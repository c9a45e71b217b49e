using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Lifecycle;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Faults;

/// <summary>
/// The process dies after the cloud created the instance and before the database recorded it; a new process on the same
/// database finds the allocation still Requested, provisions it again with the same token and gets the same instance.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class RestartAfterLostCreateTests : IDisposable
{
    private readonly SharedClouds shared = new();

    public void Dispose() => shared.Dispose();

    [Fact]
    public async Task After_a_restart_the_requested_allocation_converges_on_the_instance_created_before_the_crash()
    {
        string connectionString, jobId;
        Guid allocationId;
        string createdId;
        await using (var before = new SharedCloudApp(shared))
        {
            await ((IAsyncLifetime)before).InitializeAsync();
            connectionString = before.ConnectionString;
            using var client = before.ClientWithKey(await before.CreateKeyAsync("submitter", "crash"));
            jobId = (await JobApi.SubmitAsync(client, FaultJobs.Body("crash", ["A10G"], ["python", "train.py"], minutes: 30))).Id();
            allocationId = (await before.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default))).Single();
            var allocation = await before.WithScopeAsync(s => s.GetRequiredService<BrokerDbContext>().Allocations.AsNoTracking()
                .SingleAsync(a => a.Id == allocationId));
            // Runs 20 real seconds, so it finishes after the new process is up (it never learns of events it was not there for).
            createdId = (await shared.Clouds[allocation.Provider].CreateAsync(new InstanceRequest(allocation.Id, allocation.JobId,
                allocation.Region!, allocation.Zone, allocation.InstanceType!, allocation.Market, null,
                "#!/bin/bash\n# BROKER_SIM_DURATION_SECONDS=72000\n"), default)).InstanceId;
        }

        await using var after = new SharedCloudApp(shared, connectionString);
        await ((IAsyncLifetime)after).InitializeAsync();
        await using (var db = after.NewDbContext())
        {
            // Broker never recorded the instance (the old process may or may not have seen it start).
            Assert.Null((await db.Allocations.SingleAsync(a => a.Id == allocationId)).ExternalId);
        }
        using var reader = after.ClientWithKey(await after.CreateKeyAsync("submitter", "crash"));

        try
        {
            await after.StepUntilAsync(async () => await FaultJobs.StateAsync(reader, jobId) == "succeeded", "the job to finish after the restart");
        }
        catch (Xunit.Sdk.XunitException)
        {
            await using var db = after.NewDbContext();
            var rows = await db.Allocations.AsNoTracking().Where(a => a.JobId == Guid.Parse(jobId))
                .Select(a => $"{a.Id} {a.State} {a.End} {a.EndReason} ext={a.ExternalId}").ToListAsync();
            throw new Xunit.Sdk.XunitException($"the job did not finish after the restart: {await reader.GetStringAsync($"/v1/jobs/{jobId}")}; "
                + $"allocations: {string.Join(" | ", rows)}; cloud events: {string.Join(", ", shared.Events.For(allocationId).Select(e => e.ToString()))}");
        }
        await after.StepUntilAsync(async () =>
        {
            var listed = await Task.WhenAll(shared.Clouds.All.Select(c => c.ListManagedAsync(default)));
            return !listed.SelectMany(l => l).Any(i => i.AllocationId == allocationId);
        }, "the instance to go");

        Assert.Equal([createdId], shared.Events.For(allocationId).Select(e => e.InstanceId).Distinct());
        await using (var db = after.NewDbContext())
        {
            var segment = await db.Allocations.SingleAsync(a => a.JobId == Guid.Parse(jobId));
            Assert.Equal((createdId, AllocationEnd.Completed), (segment.ExternalId, segment.End!.Value));
        }
        await Invariants.AssertNothingLeftAsync(after);
    }
}
