namespace Broker.Core.Placement;

/// <summary>
/// Deadline rules for spot, after "Uniform Progress" (Wu et al., "Can't Be Late", NSDI '24): a deadline job may use spot
/// only while its slack can absorb one interruption (a reboot plus the work it would lose); when spot is unavailable it
/// falls back to on-demand only once its saved progress lags the uniform line work × elapsed / window, and otherwise
/// waits for spot to return.
/// </summary>
public static class UniformProgress
{
    /// <summary>Why spot is too risky for this job now, or null when spot is fine (always null without a deadline).</summary>
    public static string? SpotRisk(PendingJob job, DateTimeOffset now, TimeSpan startup, double nonCheckpointRework,
        TimeSpan margin = default)
    {
        if (job.Deadline is not { } deadline)
        {
            return null;
        }
        var remaining = job.RemainingWork;
        var slack = deadline - now - remaining - startup;
        var loss = startup + remaining * CostModel.ReworkFraction(remaining, job.CheckpointInterval, nonCheckpointRework) + margin;
        return slack < loss
            ? $"slack {Format(slack)} before the deadline cannot absorb an interruption ({Format(loss)})"
            : null;
    }

    /// <summary>True when saved progress is behind the uniform line, so the job must not idle waiting for spot.</summary>
    public static bool IsBehind(PendingJob job, DateTimeOffset now)
    {
        if (job.Deadline is not { } deadline)
        {
            return false;
        }
        if (deadline <= job.SubmittedAt)
        {
            return true;
        }
        var elapsed = Math.Clamp((now - job.SubmittedAt) / (deadline - job.SubmittedAt), 0, 1);
        return job.SavedProgress < job.EstimatedDuration * elapsed;
    }

    internal static string Format(TimeSpan span) =>
        span < TimeSpan.Zero ? "-" + Format(-span)
        : span.TotalHours >= 1 ? $"{span.TotalHours:0.#}h" : $"{Math.Round(span.TotalMinutes)}m";
}
