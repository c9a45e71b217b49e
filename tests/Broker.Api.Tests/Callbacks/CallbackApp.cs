using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Callbacks;

/// <summary>
/// The API on the real PostgreSQL with a scripted on-prem cluster. Segments are written straight into the database (as a
/// placement and a provisioning would leave them) so each test controls exactly which state an event meets; no background
/// work runs, so any row that changes was changed by the callback under test.
/// </summary>
public sealed class CallbackApp : BrokerApp
{
    public ScriptedOnPremCluster Cluster { get; } = new();

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<IOnPremCluster>(Cluster);

    public CallbackTokens Tokens => Services.GetRequiredService<CallbackTokens>();

    public LifecycleOptions Lifecycle => Services.GetRequiredService<LifecycleOptions>();

    /// <summary>A submitted job with one segment in <paramref name="state"/> (Provisioning: launched, not yet started).</summary>
    public async Task<Segment> SegmentAsync(bool onPrem = false, AllocationState state = AllocationState.Provisioning)
    {
        using var client = ClientWithKey(await CreateKeyAsync("submitter", "callbacks"));
        var body = JobApi.ValidBody("callback-test");
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray("H100-80GB") };
        var jobId = Guid.Parse((await JobApi.SubmitAsync(client, body)).Id());

        await using var db = NewDbContext();
        var job = await db.Jobs.FirstAsync(j => j.Id == jobId);
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % 10));
        var allocation = new Allocation
        {
            Id = Guid.NewGuid(), JobId = jobId, Market = onPrem ? CapacityType.OnPrem : CapacityType.Spot, Provider = onPrem ? "slurm" : "aws",
            Region = onPrem ? null : "us-east-1", InstanceType = onPrem ? null : "p5.48xlarge", Node = onPrem ? "gpu-h100-1" : null,
            GpuModel = "H100-80GB", Gpus = 1, State = AllocationState.Requested, CreatedAt = now,
        };
        db.Allocations.Add(allocation);
        job.MoveTo(JobState.Placed, JobEventKind.Placed, "Placed by the test.", now);
        JobLifecycle.Provisioning(job, allocation, onPrem ? "4242" : "i-callbacktest", now);
        if (state is AllocationState.Running or AllocationState.Releasing or AllocationState.Closed)
        {
            JobLifecycle.Started(job, allocation, now);
        }
        if (state is AllocationState.Releasing or AllocationState.Closed)
        {
            JobLifecycle.Interrupted(job, allocation, AllocationEnd.Interrupted, "Spot interruption (test)", now);
        }
        if (state == AllocationState.Closed)
        {
            JobLifecycle.Closed(allocation, now);
        }
        await db.SaveChangesAsync();
        var tokens = onPrem ? Tokens.ForOnPremScript(allocation, job, Lifecycle) : Tokens.ForCloudInstance(allocation, job, Lifecycle);
        return new Segment(allocation.Id, jobId, tokens);
    }

    public async Task<HttpResponseMessage> PostAsync(Guid allocationId, string? token, string body, string contentType = "application/json")
    {
        using var anonymous = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/instances/{allocationId}/events")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await anonymous.SendAsync(request);
    }

    /// <summary>Posts the event the boot script would, with the token of its kind.</summary>
    public Task<HttpResponseMessage> PostAsync(Segment segment, InstanceEventKind kind, int? seq = null, int? exitCode = null) =>
        PostAsync(segment.AllocationId, segment.Tokens.For(kind), Body(kind, seq ?? InstanceEvent.SeqOf(kind), exitCode));

    public static string Body(InstanceEventKind kind, int seq, int? exitCode = null) =>
        new InstanceEvent(Guid.Empty, kind, seq, kind == InstanceEventKind.Finished ? exitCode ?? 0 : exitCode).CanonicalBody;

    /// <summary>Everything a callback could change, with the rows' xmin, so "nothing changed" is a plain equality.</summary>
    public async Task<Rows> RowsAsync(Segment segment)
    {
        await using var db = NewDbContext();
        var allocation = await db.Allocations.AsNoTracking().SingleAsync(a => a.Id == segment.AllocationId);
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == segment.JobId);
        var timeline = await db.JobEvents.AsNoTracking().CountAsync(e => e.JobId == segment.JobId);
        var events = await db.Set<AllocationEvent>().AsNoTracking().Where(e => e.AllocationId == segment.AllocationId)
            .OrderBy(e => e.Seq).Select(e => $"{e.Seq}:{e.Kind}:{e.ExitCode}:{e.BodyHash}").ToListAsync();
        return new Rows(allocation.State, allocation.Version, job.State, job.Version, timeline, string.Join(',', events));
    }
}

public sealed record Segment(Guid AllocationId, Guid JobId, CallbackTokenSet Tokens);

public sealed record Rows(AllocationState Allocation, uint AllocationVersion, JobState Job, uint JobVersion, int Timeline, string Events);
