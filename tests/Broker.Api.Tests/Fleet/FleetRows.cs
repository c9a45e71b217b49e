using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Costs;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Fleet;

/// <summary>Allocation rows as the lifecycle leaves them, written by the test, and the fleet list requests.</summary>
public static class FleetRows
{
    /// <summary>A job of <paramref name="team"/> with one allocation in <paramref name="state"/>, created <paramref name="age"/> ago.</summary>
    public static async Task<Allocation> AddAsync(CostsApp app, string team, AllocationState state, string provider = "aws",
        string region = "us-east-1", CapacityType market = CapacityType.Spot, TimeSpan? age = null, AllocationEnd? end = null,
        string? endReason = null, Job? job = null)
    {
        job ??= await app.SubmitAsync(team);
        var created = DateTimeOffset.UtcNow - (age ?? TimeSpan.FromHours(1));
        var started = state is AllocationState.Running or AllocationState.Releasing or AllocationState.Closed && end != AllocationEnd.LaunchFailed
            ? created.AddMinutes(2) : (DateTimeOffset?)null;
        var onPrem = market == CapacityType.OnPrem;
        var allocation = new Allocation
        {
            Id = Guid.CreateVersion7(created), JobId = job.Id, Market = market, Provider = onPrem ? "slurm" : provider,
            Region = onPrem ? null : region, Zone = onPrem ? null : region + "a", InstanceType = onPrem ? null : "p5.48xlarge",
            Node = onPrem ? "gpu-h100-1" : null, GpuModel = "H100-80GB", Gpus = 8, PricePerHour = 12m, State = state, End = end,
            EndReason = endReason, ExternalId = state == AllocationState.Requested || onPrem ? null : $"i-{Guid.NewGuid():N}"[..19],
            CreatedAt = created, StartedAt = started, EndedAt = state == AllocationState.Closed ? DateTimeOffset.UtcNow.AddMinutes(-5) : null,
        };
        await using var db = app.NewDbContext();
        db.Allocations.Add(allocation);
        await db.SaveChangesAsync();
        return allocation;
    }

    public static async Task<JsonObject> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static List<string> Ids(JsonObject page) => [.. page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>())];

    public static JsonNode Item(JsonObject page, Guid id) =>
        page["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == id.ToString())!;
}
