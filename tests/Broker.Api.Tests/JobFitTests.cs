using System.Net;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests;

/// <summary>A job no node and no cloud offer could hold is refused at submission, naming the field (issue 16).</summary>
public sealed class JobFitTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private async Task ANodeOf(int cpus, int memoryMb)
    {
        await using var db = app.NewDbContext();
        if (!db.OnPremNodes.Any(n => n.Name == "fit-node-1"))
        {
            db.OnPremNodes.Add(new OnPremNodeRecord
            {
                Name = "fit-node-1", GpuModel = "A100-80GB", GpuTotal = 4, State = OnPremNodeState.Idle, Cpus = cpus, MemoryMb = memoryMb,
                Present = true, LastSeenAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task Memory_beyond_every_node_and_offer_is_422_naming_memoryGb_only()
    {
        await ANodeOf(cpus: 32, memoryMb: 256_000);
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var body = JobApi.ValidBody();
        body["memoryGb"] = 16_384;

        using var response = await JobApi.PostAsync(client, body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var problem = await JobApi.ProblemAsync(response);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Contains("16384 GB", errors.GetProperty("memoryGb")[0].GetString(), StringComparison.Ordinal);
        Assert.False(errors.TryGetProperty("cpuCores", out _));
        await using var db = app.NewDbContext();
        Assert.DoesNotContain(db.Jobs, j => j.MemoryGb == 16_384);
    }

    [Fact]
    public async Task A_job_the_node_holds_is_accepted()
    {
        await ANodeOf(cpus: 32, memoryMb: 256_000);
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        var body = JobApi.ValidBody();
        body["cpuCores"] = 32;
        body["memoryGb"] = 240;

        using var response = await JobApi.PostAsync(client, body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
