using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.OnPrem;
using Broker.Core.Provisioning;
using Broker.Core.WhatIf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Policies;

/// <summary>
/// The API without a Hangfire server: tests write history into the real tables (one on-prem node, two T4 offers of their
/// own, jobs and their closed allocations as the lifecycle leaves them) and run the what-if job's code directly. Spot
/// follows a small availability file: up for 6 h, gone for 30 min, repeating from each window's start.
/// </summary>
public sealed class WhatIfApp : BrokerApp
{
    public const string Node = "wi-n1";
    /// <summary>One L4 split into 4 Slurm shards (gres/shard), for GPU-share jobs.</summary>
    public const string SharedNode = "wi-shared";
    public const string SharedModel = "L4";
    public const string OnPremTeam = "wi-hist";
    public const string Model = "T4";
    public const string Region = "wi-region-1";
    public static readonly DateTimeOffset Day = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-20);

    private static readonly string Folder = Directory.CreateTempSubdirectory("broker-whatif-").FullName;

    public static string SpotTrace { get; } = Write("spot.json",
        """{"metadata":{"gap_seconds":600},"data":[""" + string.Join(",", Enumerable.Repeat("1", 36).Concat(Enumerable.Repeat("0", 3))) + "]}");

    public static string BrokenTrace { get; } = Write("broken.csv",
        "job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s\nj1,wi-trace,0,600,two,T4,,false,\n");

    /// <summary>3,000 one-GPU jobs a minute apart, long enough to queue: a replay that takes a moment.</summary>
    public static string LargeTrace { get; } = Write("large.csv",
        "job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s\n" + string.Concat(Enumerable.Range(0, 3000)
            .Select(i => $"j{i:0000},wi-trace-{i % 3},{i * 60},{1800 + i % 7 * 600},1,T4,,{(i % 2 == 0 ? "true" : "false")},\n")));

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        [$"OnPrem:Teams:{OnPremTeam}:User"] = Broker.Testing.SlurmServer.TeamUserA,
        ["WhatIf:SpotTracePath"] = SpotTrace,
        ["WhatIf:Traces:broken"] = BrokenTrace,
        ["WhatIf:Traces:large"] = LargeTrace,
        ["WhatIf:ProgressInterval"] = "00:00:00.020",
    };

    public async Task InitializeWorldAsync()
    {
        await using var db = NewDbContext();
        if (await db.OnPremNodes.AnyAsync(n => n.Name == Node))
        {
            return;
        }
        await db.Offers.ExecuteUpdateAsync(s => s.SetProperty(o => o.Available, false));
        db.OnPremNodes.Add(new OnPremNodeRecord
        {
            Name = Node, GpuModel = Model, GpuTotal = 4, GpuUsed = 0, State = OnPremNodeState.Idle, Cpus = 32, MemoryMb = 128_000,
            LastSeenAt = DateTimeOffset.UtcNow, Present = true,
        });
        db.OnPremNodes.Add(new OnPremNodeRecord
        {
            Name = SharedNode, GpuModel = SharedModel, GpuTotal = 1, ShardTotal = 4, GpuUsed = 0, State = OnPremNodeState.Idle, Cpus = 32,
            MemoryMb = 128_000, LastSeenAt = DateTimeOffset.UtcNow, Present = true,
        });
        db.Offers.Add(T4Offer("g4dn.xlarge", 1, 0.526m, 0.20m));
        db.Offers.Add(T4Offer("g4dn.12xlarge", 4, 3.912m, 1.50m));
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// A finished job and the one segment it really ran (on the node when <paramref name="instanceType"/> is null); the user
    /// estimated <paramref name="estimate"/> (default: exactly what it ran).
    /// </summary>
    public async Task<Guid> AddRunAsync(string team, DateTimeOffset submitted, int gpus, TimeSpan ran, bool spotOk,
        string? instanceType = null, CapacityType market = CapacityType.OnPrem, TimeSpan? startDelay = null, TimeSpan? checkpoint = null,
        TimeSpan? estimate = null, decimal? share = null)
    {
        var started = submitted + (startDelay ?? TimeSpan.FromSeconds(5));
        var job = NewJob(team, submitted, gpus, estimate ?? ran, spotOk, checkpoint);
        if (share is not null)
        {
            job.Gpu = new GpuRequest { Count = 1, Share = share, Models = [SharedModel] };
        }
        job.MoveTo(JobState.Placed, JobEventKind.Placed, "placed", started);
        job.MoveTo(JobState.Starting, JobEventKind.Starting, "starting", started);
        job.MoveTo(JobState.Running, JobEventKind.Started, "running", started);
        job.MoveTo(JobState.Succeeded, JobEventKind.Finished, "finished", started + ran);
        job.Attempts = 1;
        var cloud = instanceType is not null;
        var allocation = new Allocation
        {
            Id = Guid.CreateVersion7(started), JobId = job.Id, Market = market, Provider = cloud ? "aws" : "slurm",
            Region = cloud ? Region : null, Zone = null, InstanceType = instanceType, Node = cloud ? null : share is null ? Node : SharedNode,
            GpuModel = share is null ? Model : SharedModel,
            Gpus = gpus, PricePerHour = 1, State = AllocationState.Closed, End = AllocationEnd.Completed, CreatedAt = started,
            StartedAt = started, EndedAt = started + ran,
        };
        await using var db = NewDbContext();
        db.Jobs.Add(job);
        db.Allocations.Add(allocation);
        await db.SaveChangesAsync();
        return job.Id;
    }

    public async Task<Guid> AddJobAsync(string team, DateTimeOffset submitted, int gpus, TimeSpan estimate, JobState state)
    {
        var job = NewJob(team, submitted, gpus, estimate, false, null);
        if (state == JobState.Cancelled)
        {
            job.MoveTo(JobState.Cancelled, JobEventKind.Cancelled, "cancelled", submitted.AddMinutes(1));
        }
        await using var db = NewDbContext();
        db.Jobs.Add(job);
        await db.SaveChangesAsync();
        return job.Id;
    }

    /// <summary>POSTs a what-if and returns the response (the caller asserts the status).</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string scope, object body) =>
        client.PostAsJsonAsync($"/v1/policies/{scope}/what-if", body);

    public static object Window(object policy, DateTimeOffset from, DateTimeOffset to) => new { policy, from, to };

    /// <summary>Starts a what-if, runs its background job here, and returns the finished run.</summary>
    public async Task<JsonObject> RunAsync(HttpClient ops, string scope, object body)
    {
        using var response = await PostAsync(ops, scope, body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        await ExecuteAsync(id);
        return await PolicyApi.GetAsync(ops, $"/v1/what-if/{id}");
    }

    /// <summary>What the Hangfire job does for this run.</summary>
    public async Task ExecuteAsync(Guid id)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<WhatIfExecutor>().RunAsync(id, default);
    }

    public async Task<List<JsonObject>> AllChangesAsync(HttpClient ops, Guid id, bool all)
    {
        var items = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var page = await PolicyApi.GetAsync(ops, $"/v1/what-if/{id}/changes?limit=2&all={all}" + (cursor is null ? "" : $"&cursor={cursor}"));
            items.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return items;
    }

    private static Job NewJob(string team, DateTimeOffset submitted, int gpus, TimeSpan estimate, bool spotOk, TimeSpan? checkpoint) => new()
    {
        Id = Guid.CreateVersion7(submitted), Team = team, Name = "history", Gpu = new GpuRequest { Count = gpus, Models = [Model] },
        CpuCores = 4, MemoryGb = 16, Image = "ghcr.io/acme/train:1", Command = ["python", "train.py"], EstimatedDuration = estimate,
        SpotAllowed = spotOk, CheckpointInterval = checkpoint, SubmittedAt = submitted, UpdatedAt = submitted,
    };

    private static Offer T4Offer(string type, int gpus, decimal onDemand, decimal spot) => new()
    {
        Provider = "aws", Region = Region, Zone = null, InstanceType = type, GpuModel = Model, GpuCount = gpus, GpuMemoryGb = 16,
        VCpus = 4 * gpus, MemoryGb = 16 * gpus, OnDemandPerHour = onDemand, SpotPerHour = spot, SpotInterruptionPerHour = 0.05,
        SpotInterruptionPriorPerHour = 0.05, Available = true, PricesAsOf = DateOnly.FromDateTime(DateTime.UtcNow), UpdatedAt = DateTimeOffset.UtcNow,
    };

    private static string Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
