namespace Broker.Core.Policies;

/// <summary>
/// Tracks what each team may still spend on cloud during one pass: the snapshot's remaining budget minus what this
/// pass has already committed. Teams without a budget are unlimited. Budgets cap cloud spend only: on-prem GPUs are
/// already paid for.
/// </summary>
public sealed class BudgetLedger(IEnumerable<TeamBudget> budgets)
{
    private readonly Dictionary<string, decimal> remaining = budgets
        .GroupBy(b => b.Team, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last().Remaining, StringComparer.Ordinal);

    public decimal? Remaining(string team) => remaining.TryGetValue(team, out var left) ? left : null;

    public bool CanAfford(string team, decimal cost) => Remaining(team) is not { } left || cost <= left;

    public void Commit(string team, decimal cost)
    {
        if (remaining.TryGetValue(team, out var left))
        {
            remaining[team] = left - cost;
        }
    }
}
