using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Estimates;

/// <summary>
/// Gives every trace job the limit its user would have asked for (<see cref="TraceJob.LimitS"/>), per the scenario's
/// <see cref="EstimateSettings.Mode"/>:
/// <list type="bullet">
/// <item><c>oracle</c>: the real duration.</item>
/// <item><c>bluewaters</c>: each team is one Blue Waters user, hash(seed + team) mod the number of users (ordered by id);
/// each job draws one of that user's real GPU-job ratios r = actual / requested, hash(seed + job id) mod their count, and
/// asks for duration / r. A ratio ≥ 1 (the Blue Waters job ran into its limit) asks for exactly the duration: the trace
/// job ran to completion, so its limit was at least that. The limit is at most the longest limit Broker accepts
/// (<see cref="EstimateSettings.MaxLimitS"/>, 30 days: a quarter of the Blue Waters ratios are below 0.0005, jobs that
/// died within seconds of a 12-hour request, and the user of a long job can ask for no more than the maximum), and never
/// below the duration.</item>
/// <item><c>trace</c>: the trace's own limit column (a job without one fails).</item>
/// </list>
/// </summary>
public static class UserEstimates
{
    public static IReadOnlyList<TraceJob> Apply(IReadOnlyList<TraceJob> jobs, EstimateSettings? settings, BlueWatersRatios? ratios)
    {
        switch (settings?.Mode ?? EstimateModes.Oracle)
        {
            case EstimateModes.Oracle:
                return jobs.Select(j => j with { LimitS = j.DurationS }).ToArray();
            case EstimateModes.Trace:
                return jobs.Select(j => j.LimitS is { } limit && limit > 0 ? j with { LimitS = Math.Max(limit, j.DurationS) }
                    : throw new TraceFormatException($"job {j.JobId}: estimates.mode 'trace' but the trace has no limit for it")).ToArray();
            case EstimateModes.BlueWaters:
                var users = (ratios ?? throw new TraceFormatException("estimates.mode 'bluewaters' needs estimates.path")).Users;
                var seed = settings!.HashSeed;
                return jobs.Select(j =>
                {
                    var user = users[(int)(StableHash.Of(seed + "team:" + j.Team) % (uint)users.Count)];
                    var r = user.Ratios[(int)(StableHash.Of(seed + "job:" + j.JobId) % (uint)user.Ratios.Count)];
                    var asked = r >= 1 ? j.DurationS : (long)Math.Ceiling(Math.Min(j.DurationS / Math.Max(r, 1e-9), long.MaxValue / 4.0));
                    return j with { LimitS = Math.Max(j.DurationS, Math.Min(asked, settings.MaxLimitS)) };
                }).ToArray();
            case var other:
                throw new TraceFormatException($"estimates.mode must be oracle, bluewaters or trace, not '{other}'");
        }
    }

    /// <summary>Which Blue Waters user a team stands for (for reports).</summary>
    public static string UserOf(string team, EstimateSettings settings, BlueWatersRatios ratios) =>
        ratios.Users[(int)(StableHash.Of(settings.HashSeed + "team:" + team) % (uint)ratios.Users.Count)].User;
}
