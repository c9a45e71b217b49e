using Broker.Core.Audit;
using Broker.Core.Costs.Budgets;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs;

/// <summary>
/// Amends what an entry cost without touching it: a Correction entry with the same dimensions carries the difference
/// between the new cost and what the entry (with its earlier corrections) says, and the team's budget takes the same
/// difference in the same transaction. GPU-hours and the counterfactual do not change, so the saving moves by the delta.
/// </summary>
public sealed class CostCorrections(BrokerDbContext db, BudgetAccounts budgets, AuditTrail audit, TimeProvider clock)
{
    public const int MaxReason = 500;

    /// <summary>Appends the correction with its audit record (what the entry cost before and after, and why) in one save.</summary>
    public async Task<CostEntry> CorrectAsync(long entryId, decimal newCost, string reason, AuditActor actor, CancellationToken ct)
    {
        if (newCost < 0 || newCost > BudgetService.MaxAmount || Usd.Round(newCost) != newCost)
        {
            throw RuleViolationException.For("costUsd", $"The corrected cost is between 0 and {BudgetService.MaxAmount} USD, with at most 6 decimals.");
        }
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReason || reason.Any(char.IsControl))
        {
            throw RuleViolationException.For("reason", $"Say why in 1 to {MaxReason} characters, without control characters.");
        }
        var original = await db.CostEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == entryId && e.Kind == CostEntryKind.Usage, ct)
            ?? throw new NotFoundException("cost entry", entryId);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await BudgetAccounts.LockTeamAsync(db, original.Team, ct);
        var current = original.Cost + await db.CostEntries.Where(e => e.CorrectsEntryId == entryId).SumAsync(e => e.Cost, ct);
        if (current == newCost)
        {
            throw new ConflictException($"Entry {entryId} already costs {Usd.Trim(newCost)} USD.");
        }
        var now = PostgresTime.Now(clock);
        var correction = new CostEntry
        {
            AllocationId = original.AllocationId, Part = original.Part, Kind = CostEntryKind.Correction, CorrectsEntryId = entryId,
            JobId = original.JobId, Team = original.Team, Provider = original.Provider, Region = original.Region, Zone = original.Zone,
            InstanceType = original.InstanceType, Node = original.Node,
            MemberNodes = original.MemberNodes is null ? null : [.. original.MemberNodes], Market = original.Market, GpuModel = original.GpuModel,
            GpuCount = original.GpuCount, StartedAt = original.StartedAt, EndedAt = original.EndedAt, BilledSeconds = 0, GpuHours = 0,
            PricePerHour = original.PricePerHour, Cost = newCost - current, OnDemandPricePerHour = original.OnDemandPricePerHour,
            OnDemandCost = 0, Labels = original.Labels, Note = reason.Trim(), RecordedAt = now,
        };
        db.CostEntries.Add(correction);
        audit.Record(actor, "cost-entry.correct", $"cost-entry:{entryId}",
            new { EntryId = entryId, original.JobId, original.Team, CostUsd = current },
            new { EntryId = entryId, original.JobId, original.Team, CostUsd = newCost, DeltaUsd = correction.Cost, Reason = correction.Note });
        await db.SaveChangesAsync(ct);
        await budgets.TrueUpAsync(original.AllocationId, original.Team, [correction], now, ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return correction;
    }

    /// <summary>A job's entries, oldest first, corrections after the entry they correct.</summary>
    public Task<List<CostEntry>> ForJobAsync(Guid jobId, CancellationToken ct) =>
        db.CostEntries.AsNoTracking().Where(e => e.JobId == jobId).OrderBy(e => e.StartedAt).ThenBy(e => e.Id).ToListAsync(ct);
}
