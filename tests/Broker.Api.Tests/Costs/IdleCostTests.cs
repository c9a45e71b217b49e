using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Costs.Idle;
using Broker.Core.Costs;
using Broker.Core.OnPrem;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Costs;

public sealed class IdleCostTests(CostsApp app) : IClassFixture<CostsApp>
{
    private static readonly DateTimeOffset H0 = new(2026, 9, 14, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Idle_gpu_hours_per_node_and_hour_are_priced_at_the_rate_in_effect_and_do_not_change_when_rolled_up()
    {
        await using (var db = app.NewDbContext())
        {
            db.OnPremRates.Add(new OnPremRate { EffectiveFrom = H0.AddMinutes(90), UsdPerGpuHour = 3m, CreatedAt = H0 });
            // Two hours of one sample a minute: a-node has 8 GPUs with 2 used, b-node 4 GPUs with none used.
            for (var minute = 0; minute < 120; minute++)
            {
                db.NodeUtilizationSamples.Add(new NodeUtilizationSample { At = H0.AddMinutes(minute), Node = "a-node", GpuModel = "H100-80GB", GpuUsed = 2, GpuTotal = 8 });
                db.NodeUtilizationSamples.Add(new NodeUtilizationSample { At = H0.AddMinutes(minute), Node = "b-node", GpuModel = "L4", GpuUsed = 0, GpuTotal = 4 });
            }
            await db.SaveChangesAsync();
        }

        var live = (await HoursAsync())!;
        var rolled = await app.WithScopeAsync(s => s.GetRequiredService<OnPremIdleCost>().RollUpAsync(default));
        var again = await app.WithScopeAsync(s => s.GetRequiredService<OnPremIdleCost>().RollUpAsync(default));
        var afterRollup = (await HoursAsync())!;

        // 10:00-11:00 at the default 1.20; 11:00-11:30 at 1.20 and 11:30-12:00 at 3.00, per node.
        Assert.Equal(6, live.Count);
        var a11 = live.Where(h => h.Node == "a-node" && h.Hour == H0.AddHours(1)).OrderBy(h => h.UsdPerGpuHour).ToList();
        Assert.Equal([1.2m, 3m], a11.Select(h => h.UsdPerGpuHour));
        Assert.All(a11, h => Assert.Equal(3m, h.IdleGpuHours)); // 30 minutes x 6 idle GPUs
        Assert.Equal([3.6m, 9m], a11.Select(h => h.IdleCost));
        Assert.Equal(6m * 1.2m + 3.6m + 9m + 4m * 1.2m + 2m * 1.2m + 2m * 3m, live.Sum(h => h.IdleCost));
        Assert.Equal(6, rolled);
        Assert.Equal(0, again);
        Assert.Equal(Summary(live), Summary(afterRollup));

        using var finance = app.ClientWithKey(await app.CreateKeyAsync("finance"));
        var report = await finance.GetFromJsonAsync<JsonObject>($"/v1/reports/idle?from={H0:O}&to={H0.AddHours(2):O}".Replace("+", "%2B", StringComparison.Ordinal));
        Assert.Equal(live.Sum(h => h.IdleCost), report!["idleCostUsd"]!.GetValue<decimal>());
        Assert.Equal(6, report["rows"]!.AsArray().Count);
        var utilization = await finance.GetFromJsonAsync<JsonObject>(
            $"/v1/reports/utilization?from={H0:O}&to={H0.AddHours(2):O}&step=1h".Replace("+", "%2B", StringComparison.Ordinal));
        Assert.Equal(live.Sum(h => h.IdleCost), utilization!["idleCostUsd"]!.GetValue<decimal>());
        Assert.Equal(4, utilization["buckets"]!.AsArray().Count); // two hours x two models
        var h100 = utilization["byGpuModel"]!.AsArray().Single(m => m!["gpuModel"]!.GetValue<string>() == "H100-80GB")!;
        Assert.Equal((4m, 16m, 12m), (h100["usedGpuHours"]!.GetValue<decimal>(), h100["availableGpuHours"]!.GetValue<decimal>(),
            h100["idleGpuHours"]!.GetValue<decimal>()));
        using var submitter = app.ClientWithKey(await app.CreateKeyAsync("submitter", "vision"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await submitter.GetAsync("/v1/reports/idle")).StatusCode);
    }

    private static string Summary(IEnumerable<IdleHour> hours) => string.Join(';', hours.OrderBy(h => h.Hour).ThenBy(h => h.Node).ThenBy(h => h.UsdPerGpuHour)
        .Select(h => $"{h.Hour:O},{h.Node},{h.GpuModel},{Usd.Trim(h.UsdPerGpuHour)},{h.Samples},{h.UsedGpuMinutes},{h.TotalGpuMinutes},{Usd.Trim(h.IdleGpuHours)},{Usd.Trim(h.IdleCost)}"));

    private Task<List<IdleHour>?> HoursAsync() =>
        app.WithScopeAsync(s => s.GetRequiredService<OnPremIdleCost>().HoursAsync(H0, H0.AddHours(2), null, default));
}
