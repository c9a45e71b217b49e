using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Providers.Slurm;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>
/// A job placed on-prem while its team had a mapping, provisioned by a Broker restarted without it: the launch fails and
/// the job is requeued, and nothing reaches Slurm (the job never runs as anyone else).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class MappingRemovedTests
{
    private const string Team = "fickle";

    private sealed class App(string? connectionString, bool mapped) : LifecycleApp
    {
        protected override IReadOnlyDictionary<string, string> Settings => mapped
            ? new Dictionary<string, string>(base.Settings) { [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA }
            : base.Settings;

        protected override Task<string> CreateDatabaseAsync() =>
            connectionString is null ? base.CreateDatabaseAsync() : Task.FromResult(connectionString);
    }

    [Fact]
    public async Task Provisioning_an_onprem_allocation_of_a_team_without_a_mapping_fails_the_launch_and_submits_nothing()
    {
        string connectionString, jobId;
        Guid allocationId;
        await using (var before = new App(null, mapped: true))
        {
            await ((IAsyncLifetime)before).InitializeAsync();
            connectionString = before.ConnectionString;
            await before.WithScopeAsync(s => s.GetRequiredService<Broker.Core.OnPrem.InventorySync>().RunAsync(default));
            using var client = before.ClientWithKey(await before.CreateKeyAsync("submitter", Team));
            jobId = (await JobApi.SubmitAsync(client, FaultJobs.Body("fickle-l4", ["L4"], ["id"]))).Id();
            allocationId = (await before.WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default))).Single();
        }
        await using var after = new App(connectionString, mapped: false);
        await ((IAsyncLifetime)after).InitializeAsync();

        await after.WithScopeAsync(async s => { await s.GetRequiredService<AllocationWorker>().ProvisionAsync(allocationId, default); return 0; });

        await using var db = after.NewDbContext();
        var allocation = await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == allocationId);
        Assert.True(allocation.IsOnPrem);
        Assert.Equal((AllocationEnd.LaunchFailed, (string?)null), (allocation.End, allocation.ExternalId));
        Assert.Contains("no-onprem-user", allocation.EndReason, StringComparison.Ordinal);
        using var reader = after.ClientWithKey(await after.CreateKeyAsync("submitter", Team));
        var job = (await reader.GetFromJsonAsync<JsonObject>($"/v1/jobs/{jobId}"))!;
        Assert.Equal("pending", job.Str("state"));
        Assert.Contains(job["timeline"]!.AsArray(), e => e!.Str("message").Contains("no-onprem-user", StringComparison.Ordinal));
        using var slurm = new HttpClient { BaseAddress = new Uri(SlurmServer.Url) };
        slurm.DefaultRequestHeaders.Add("X-SLURM-USER-NAME", SlurmServer.User);
        slurm.DefaultRequestHeaders.Add("X-SLURM-USER-TOKEN", SlurmServer.Token);
        var jobs = (await slurm.GetFromJsonAsync<JsonObject>("/slurm/v0.0.38/jobs"))!["jobs"]!.AsArray();
        Assert.DoesNotContain(jobs, j => j!["name"]?.GetValue<string>() == SlurmJobNames.For(allocationId));
        (await reader.PostAsync($"/v1/jobs/{jobId}/cancel", null)).Dispose();
    }
}
