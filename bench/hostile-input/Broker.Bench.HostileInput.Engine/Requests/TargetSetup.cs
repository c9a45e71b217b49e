using System.Text.Json.Nodes;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.HostileInput.Json;
using Microsoft.EntityFrameworkCore;

namespace Broker.HostileInput.Requests;

/// <summary>
/// Prepares what hostile requests aim at, through the public API where it can (keys, jobs, a revoked key, a cursor) and
/// in the database where no API exists: one job of the first team is placed on a cloud allocation that is provisioning,
/// so its instance callbacks have something to change.
/// </summary>
public static class TargetSetup
{
    /// <param name="tokenFor">The callback token of an allocation for an event kind (the product's own scheme).</param>
    public static async Task<HostileTargets> PrepareAsync(HttpClient client, string adminKey, string connectionString,
        Func<Guid, string, string> tokenFor, CancellationToken ct = default)
    {
        var admin = HostileRequest.Bearer(adminKey);
        async Task<(Guid Id, string Key)> CreateKeyAsync(string name, string role, string? team)
        {
            var body = new JsonObject { ["name"] = name, ["role"] = role, ["team"] = team };
            var created = await SendAsync(client, HostileRequest.Json("POST", "/v1/api-keys", JNode.From(body), admin), ct);
            return (Guid.Parse(created["id"]!.GetValue<string>()), created["key"]!.GetValue<string>());
        }
        var submitter = await CreateKeyAsync("hostile submitter", "submitter", HostileTargets.Team);
        var other = await CreateKeyAsync("hostile other team", "submitter", HostileTargets.OtherTeam);
        var finance = await CreateKeyAsync("hostile finance", "finance", null);
        var ops = await CreateKeyAsync("hostile ops", "ops", null);
        var revoked = await CreateKeyAsync("hostile revoked", "submitter", HostileTargets.Team);
        using (var revoke = await client.SendAsync(new HostileRequest { Method = "DELETE", Path = $"/v1/api-keys/{revoked.Id}", Authorization = admin }.ToMessage(), ct))
        {
            revoke.EnsureSuccessStatusCode();
        }
        var victims = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            victims.Add((await CreateKeyAsync($"hostile victim {i}", "finance", null)).Id);
        }
        var ownJob = await SubmitAsync(client, submitter.Key, "own-job", ct);
        var otherJob = await SubmitAsync(client, other.Key, "other-team-job", ct);
        var allocation = await PlaceOnCloudAsync(connectionString, ownJob, ct);
        var page = await SendAsync(client, HostileRequest.Get("/v1/jobs?limit=1", HostileRequest.Bearer(ops.Key)), ct);
        var cursor = page["nextCursor"]?.GetValue<string>() ?? throw new InvalidOperationException("Expected a second page of jobs.");
        return new HostileTargets(adminKey, submitter.Key, other.Key, finance.Key, ops.Key, revoked.Key, ownJob, otherJob, allocation,
            kind => tokenFor(allocation, kind), victims, cursor);
    }

    private static async Task<Guid> SubmitAsync(HttpClient client, string key, string name, CancellationToken ct)
    {
        var body = (JObject)ValidBodies.Job();
        body["name"] = new JText(name);
        var job = await SendAsync(client, HostileRequest.Json("POST", "/v1/jobs", body, HostileRequest.Bearer(key)), ct);
        return Guid.Parse(job["id"]!.GetValue<string>());
    }

    private static async Task<Guid> PlaceOnCloudAsync(string connectionString, Guid jobId, CancellationToken ct)
    {
        var options = new DbContextOptionsBuilder<BrokerDbContext>();
        options.UseBrokerDatabase(connectionString);
        await using var db = new BrokerDbContext(options.Options);
        var job = await db.Jobs.Include(j => j.Events).FirstAsync(j => j.Id == jobId, ct);
        var now = PostgresTime.Now(TimeProvider.System);
        var allocation = new Allocation
        {
            Id = Guid.CreateVersion7(now), JobId = job.Id, Market = CapacityType.Spot, Provider = "aws", Region = "us-east-1",
            Zone = "us-east-1a", InstanceType = "p5.48xlarge", GpuModel = GpuModels.H100_80GB, Gpus = 8, PricePerHour = 30m,
            State = AllocationState.Provisioning, ExternalId = "i-0hostile0target", CreatedAt = now,
        };
        db.Allocations.Add(allocation);
        job.MoveTo(JobState.Placed, JobEventKind.Placed, "Placed by the hostile-input setup.", now);
        job.MoveTo(JobState.Starting, JobEventKind.Starting, "Launching (hostile-input setup).", now);
        await db.SaveChangesAsync(ct);
        return allocation.Id;
    }

    private static async Task<JsonNode> SendAsync(HttpClient client, HostileRequest request, CancellationToken ct)
    {
        using var response = await client.SendAsync(request.ToMessage(), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(text)!
            : throw new InvalidOperationException($"Setup request {request.Method} {request.Path} failed: {(int)response.StatusCode} {text}");
    }
}
