using Broker.Core.Capacity;
using Broker.Core.Costs.Reports;
using Broker.Core.Costs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Costs;

/// <summary>
/// A ledger of one September with teams, markets, providers, labels and runs across midnight, part of it rolled up and
/// part of it written after the rollup (the tail), so every report path is exercised.
/// </summary>
public sealed class ReportsApp : CostsApp
{
    public static readonly DateTimeOffset Month = new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SemaphoreSlim gate = new(1, 1);
    private bool seeded;

    public async Task SeedAsync()
    {
        await gate.WaitAsync();
        try
        {
            if (seeded)
            {
                return;
            }
            await WriteAsync(0, 40);
            await WithScopeAsync(s => s.GetRequiredService<LedgerRollup>().RollUpAsync(default));
            await WriteAsync(40, 60);
            seeded = true;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<List<CostEntry>> AllEntriesAsync()
    {
        await using var db = NewDbContext();
        return await db.CostEntries.AsNoTracking().ToListAsync();
    }

    private async Task WriteAsync(int from, int to)
    {
        string[] teams = ["vision", "nlp", "speech"];
        for (var i = from; i < to; i++)
        {
            var team = teams[i % 3];
            var job = await SubmitAsync(team, ["H100-80GB", "A100-80GB"], new Dictionary<string, string>
            {
                ["project"] = $"p{i % 4}",
                ["costCentre"] = i % 5 == 0 ? "=cmd|' /C calc'!A0" : $"cc-{i % 2}",
            });
            var start = Month.AddHours(i * 11.3).AddSeconds(i * 7.77);
            var length = TimeSpan.FromMinutes(17 + i * 13.1);
            var allocation = (i % 4) switch
            {
                0 => await AddClosedAsync(job, CapacityType.OnPrem, "slurm", 2.4m, 2, start, start + length),
                1 => await AddClosedAsync(job, CapacityType.Spot, "aws", 31.464m + i, 8, start, start + length, AllocationEnd.Completed,
                    "p5.48xlarge", "us-east-1"),
                2 => await AddClosedAsync(job, CapacityType.OnDemand, "gcp", 88.49m, 8, start, start + length, AllocationEnd.Completed,
                    "a3-highgpu-8g", "us-central1"),
                _ => await AddClosedAsync(job, CapacityType.Spot, "azure", 9.8123m, 8, start, start + length, AllocationEnd.Interrupted,
                    "Standard_ND96isr_H100_v5", "eastus"),
            };
            await RecordAsync(allocation.Id);
        }
    }
}
