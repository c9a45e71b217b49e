using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Costs;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Console.Tests;

/// <summary>
/// Broker on a real loopback port (Kestrel, so a browser can reach it) on its own database, seeded the way a working day
/// leaves it: on-prem nodes with per-minute utilization samples, priced cloud and on-prem segments of two teams today, a
/// budget, a job the real placement engine placed (with its explanation) and one still queued.
/// </summary>
public sealed class ConsoleSite : CostsApp
{
    public ConsoleSite() => UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

    public string Url { get; private set; } = "";

    public string OpsKey { get; private set; } = "";

    public string FinanceKey { get; private set; } = "";

    public string VisionKey { get; private set; } = "";

    /// <summary>The job the engine placed during seeding: its page shows the chosen and the rejected options.</summary>
    public Guid ExplainedJob { get; private set; }

    /// <summary>Reads the port Kestrel took and makes the keys; an empty Broker has nothing more.</summary>
    public async Task StartAsync()
    {
        Url = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        OpsKey = await CreateKeyAsync("ops");
        FinanceKey = await CreateKeyAsync("finance");
        VisionKey = await CreateKeyAsync("submitter", "vision");
    }

    public async Task SeedAsync()
    {
        await StartAsync();
        var now = await AtLeastMinutesIntoTheUtcDayAsync(5);
        await SeedOnPremAsync(now);
        await SeedLedgerAsync(now);
        using (var finance = Api(FinanceKey))
        {
            (await finance.PutAsJsonAsync("/v1/budgets/vision", new { amountUsd = 400, softPercent = 75, hardPercent = 100 })).EnsureSuccessStatusCode();
            (await finance.PutAsJsonAsync("/v1/budgets/nlp", new { amountUsd = 90, softPercent = 80, hardPercent = 100 })).EnsureSuccessStatusCode();
        }
        await SeedRunningAsync(now);
        using var vision = Api(VisionKey);
        ExplainedJob = await SubmitAsync(vision, "tune-vit-spot", "A10G");
        await WithScopeAsync(s => s.GetRequiredService<PlacementRound>().RunAsync(default));
        await SubmitAsync(vision, "queued-after-the-pass", "H100-80GB");
    }

    /// <summary>
    /// Runs one background job as a Hangfire worker would (the server is off in tests, so the seeded day stays as it is):
    /// the class is named, not referenced, so a test can be written against a job another change brings.
    /// </summary>
    public Task RunBackgroundJobAsync(string typeName, params object[] arguments) => WithScopeAsync(async services =>
    {
        var type = typeof(Program).Assembly.GetType(typeName, throwOnError: true)!;
        var job = ActivatorUtilities.CreateInstance(services, type);
        await (Task)type.GetMethod("RunAsync")!.Invoke(job, [.. arguments, CancellationToken.None])!;
        return true;
    });

    /// <summary>A client of the API on the real port, as the browser reaches it.</summary>
    public HttpClient Api(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<Guid> SubmitAsync(HttpClient client, string name, string model)
    {
        using var response = await client.PostAsJsonAsync("/v1/jobs", new JsonObject
        {
            ["name"] = name,
            ["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray(model) },
            ["cpuCores"] = 4,
            ["memoryGb"] = 16,
            ["image"] = "ghcr.io/acme/train:1.4",
            ["command"] = new JsonArray("python", "train.py"),
            ["estimatedDurationMinutes"] = 60,
            ["spot"] = new JsonObject { ["allowed"] = true, ["checkpointIntervalMinutes"] = 10 },
            ["labels"] = new JsonObject { ["project"] = "console" },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    /// <summary>Two nodes as the inventory job leaves them, and three hours of their per-minute samples with a changing load.</summary>
    private async Task SeedOnPremAsync(DateTimeOffset now)
    {
        await using var db = NewDbContext();
        db.OnPremNodes.Add(new OnPremNodeRecord { Name = "gpu-h100-1", GpuModel = "H100-80GB", GpuTotal = 8, GpuUsed = 6, State = OnPremNodeState.Mixed,
            Cpus = 64, MemoryMb = 512_000, LastSeenAt = now, Present = true });
        db.OnPremNodes.Add(new OnPremNodeRecord { Name = "gpu-a100-1", GpuModel = "A100-80GB", GpuTotal = 4, GpuUsed = 0, State = OnPremNodeState.Idle,
            Cpus = 32, MemoryMb = 256_000, LastSeenAt = now, Present = true });
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        for (var m = 1; m <= 180; m++)
        {
            var at = minute.AddMinutes(-m);
            db.NodeUtilizationSamples.Add(new NodeUtilizationSample { At = at, Node = "gpu-h100-1", GpuModel = "H100-80GB", GpuUsed = (m / 20) % 9, GpuTotal = 8 });
            db.NodeUtilizationSamples.Add(new NodeUtilizationSample { At = at, Node = "gpu-a100-1", GpuModel = "A100-80GB", GpuUsed = m % 60 < 25 ? 4 : 1, GpuTotal = 4 });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>A cloud instance that has run for 50 minutes, as the lifecycle leaves it while the job runs.</summary>
    private async Task SeedRunningAsync(DateTimeOffset now)
    {
        var job = await SubmitAsync("nlp", ["H100-80GB"]);
        await using var db = NewDbContext();
        db.Allocations.Add(new Allocation
        {
            Id = Guid.CreateVersion7(), JobId = job.Id, Market = CapacityType.Spot, Provider = "gcp", Region = "us-central1",
            Zone = "us-central1-a", InstanceType = "a3-highgpu-8g", GpuModel = "H100-80GB", Gpus = 8, PricePerHour = 28.4m,
            State = AllocationState.Running, CreatedAt = now.AddMinutes(-52), StartedAt = now.AddMinutes(-50), ExternalId = "sim-console-1",
        });
        await db.SaveChangesAsync();
        await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(u => u.SetProperty(j => j.State, JobState.Running));
    }

    /// <summary>
    /// The seeded ledger lies inside today (UTC) so that the views of today and of this month hold it; a run that starts
    /// in a day's first minutes waits until the day has room for it rather than seeding segments that end before they start.
    /// </summary>
    private static async Task<DateTimeOffset> AtLeastMinutesIntoTheUtcDayAsync(int minutes)
    {
        var now = DateTimeOffset.UtcNow;
        var ready = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddMinutes(minutes);
        if (now < ready) await Task.Delay(ready - now + TimeSpan.FromSeconds(1));
        return DateTimeOffset.UtcNow;
    }

    /// <summary>Segments of today (UTC) that the lifecycle closed, priced by the real ledger.</summary>
    private async Task SeedLedgerAsync(DateTimeOffset now)
    {
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var end = now.AddMinutes(-2);
        DateTimeOffset Start(int minutes) => end.AddMinutes(-minutes) > dayStart ? end.AddMinutes(-minutes) : dayStart.AddSeconds(1);
        var runs = new (string Team, CapacityType Market, string Provider, decimal Price, int Gpus, int Minutes, string? Type, string? Region)[]
        {
            ("vision", CapacityType.Spot, "aws", 2.1m, 4, 95, "g5.12xlarge", "us-east-1"),
            ("vision", CapacityType.OnDemand, "gcp", 88.49m, 8, 40, "a3-highgpu-8g", "us-central1"),
            ("vision", CapacityType.OnPrem, "slurm", 2.4m, 2, 120, null, null),
            ("nlp", CapacityType.Spot, "azure", 9.8123m, 8, 70, "Standard_ND96isr_H100_v5", "eastus"),
            ("nlp", CapacityType.OnDemand, "aws", 32.77m, 4, 25, "p4d.24xlarge", "us-west-2"),
        };
        foreach (var run in runs)
        {
            var job = await SubmitAsync(run.Team, [run.Market == CapacityType.OnPrem ? "H100-80GB" : "A100-80GB"]);
            var allocation = await AddClosedAsync(job, run.Market, run.Provider, run.Price, run.Gpus, Start(run.Minutes), end,
                AllocationEnd.Completed, run.Type, run.Region, gpuModel: run.Market == CapacityType.OnPrem ? "H100-80GB" : "A100-80GB");
            await RecordAsync(allocation.Id);
            await using var db = NewDbContext();
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(u => u.SetProperty(j => j.State, JobState.Succeeded));
        }
    }
}
