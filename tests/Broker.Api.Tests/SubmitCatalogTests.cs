using System.Net;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.OnPrem;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Api.Tests;

/// <summary>The API with a clock the test moves and a count of the submit checks' catalog reads (its node query).</summary>
public sealed class SubmitCatalogApp : BrokerApp
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    public StatementCounter CatalogReads { get; } = new(sql => sql.Contains("FROM onprem_nodes", StringComparison.Ordinal)
        && sql.Contains("gpu_total > 0", StringComparison.Ordinal));

    protected override void OverrideServices(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Clock);
        services.ConfigureDbContext<BrokerDbContext>(options => options.AddInterceptors(CatalogReads));
    }
}

/// <summary>The submit checks judge a per-process catalog snapshot at most <see cref="SubmitCapacityCatalog.MaxAge"/> old, and
/// refuse only on one read for the refusal (ADR 0013).</summary>
public sealed class SubmitCatalogTests(SubmitCatalogApp app) : IClassFixture<SubmitCatalogApp>
{
    private const int LargeMemoryGb = 12_000;

    private async Task ANodeAsync(string name, int memoryMb)
    {
        await using var db = app.NewDbContext();
        db.OnPremNodes.Add(new OnPremNodeRecord
        {
            Name = name, GpuModel = "A100-80GB", GpuTotal = 4, State = OnPremNodeState.Idle, Cpus = 64, MemoryMb = memoryMb,
            Present = true, LastSeenAt = app.Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }

    private async Task<HttpStatusCode> SubmitAsync(HttpClient client, int memoryGb)
    {
        var body = JobApi.ValidBody();
        body["memoryGb"] = memoryGb;
        using var response = await JobApi.PostAsync(client, body);
        return response.StatusCode;
    }

    private async Task<HttpClient> FreshCatalogClientAsync(string team)
    {
        var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", team));
        app.Clock.Advance(SubmitCapacityCatalog.MaxAge);
        return client;
    }

    [Fact]
    public async Task Two_submits_within_its_max_age_read_the_catalog_once_and_the_next_after_it_again()
    {
        await ANodeAsync("catalog-node-a", 512_000);
        using var client = await FreshCatalogClientAsync("catalog-a");
        var before = app.CatalogReads.Count;

        var first = await SubmitAsync(client, 128);
        app.Clock.Advance(SubmitCapacityCatalog.MaxAge - TimeSpan.FromMilliseconds(1));
        var second = await SubmitAsync(client, 128);
        var readsWithinMaxAge = app.CatalogReads.Count - before;
        app.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var third = await SubmitAsync(client, 128);

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created], [first, second, third]);
        Assert.Equal(1, readsWithinMaxAge);
        Assert.Equal(2, app.CatalogReads.Count - before);
    }

    [Fact]
    public async Task Every_refusal_reads_the_catalog_again_so_capacity_added_a_moment_ago_is_not_refused()
    {
        await ANodeAsync("catalog-node-b", 512_000);
        using var client = await FreshCatalogClientAsync("catalog-b");
        var accepted = await SubmitAsync(client, 128);
        var before = app.CatalogReads.Count;

        var refusedOnce = await SubmitAsync(client, LargeMemoryGb);
        var refusedTwice = await SubmitAsync(client, LargeMemoryGb);
        var readsForRefusals = app.CatalogReads.Count - before;
        await ANodeAsync("catalog-node-large", (LargeMemoryGb + 64) * 1024);
        var acceptedOnNewNode = await SubmitAsync(client, LargeMemoryGb);

        Assert.Equal(HttpStatusCode.Created, accepted);
        Assert.Equal([HttpStatusCode.UnprocessableEntity, HttpStatusCode.UnprocessableEntity], [refusedOnce, refusedTwice]);
        Assert.Equal(2, readsForRefusals);
        Assert.Equal(HttpStatusCode.Created, acceptedOnNewNode);
        await using var db = app.NewDbContext();
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.MemoryGb == LargeMemoryGb));
    }
    [Fact]
    public async Task One_snapshot_judges_each_gpu_shape_on_its_own()
    {
        await ANodeAsync("catalog-node-c", 512_000);
        using var client = await FreshCatalogClientAsync("catalog-c");
        var before = app.CatalogReads.Count;

        var fits = await SubmitAsync(client, 128);
        var tooMuchMemory = JobApi.ValidBody();
        tooMuchMemory["gpu"] = new JsonObject { ["count"] = 2, ["models"] = new JsonArray("h100", "A100-80GB"), ["minMemoryGb"] = 1000 };
        using var refused = await JobApi.PostAsync(client, tooMuchMemory);
        var fitsAgain = await SubmitAsync(client, 128);

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created], [fits, fitsAgain]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.True((await JobApi.ProblemAsync(refused)).RootElement.GetProperty("errors").TryGetProperty("gpu.minMemoryGb", out _));
        // The first snapshot and one fresh read for the refusal.
        Assert.Equal(2, app.CatalogReads.Count - before);
    }
}
