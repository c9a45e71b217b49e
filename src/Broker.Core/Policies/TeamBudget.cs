namespace Broker.Core.Policies;

/// <summary>A team's cloud budget for the current period and what it has spent (or committed) so far, in USD.</summary>
public sealed record TeamBudget(string Team, decimal Limit, decimal SpentSoFar)
{
    public decimal Remaining => Limit - SpentSoFar;
}

/// <summary>A team's fair-share weight and how many GPUs (on-prem and cloud) it holds right now.</summary>
public sealed record TeamShare(string Team, double Weight, int GpusInUse);
