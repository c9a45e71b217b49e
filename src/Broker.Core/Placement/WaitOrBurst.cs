using System.Globalization;
using Broker.Core.Policies;

namespace Broker.Core.Placement;

/// <summary>Which policy term decided a wait-or-burst question.</summary>
public enum WaitTerm
{
    MaxWait,
    MaxSlowdown,
    WaitPrice,
    Deadline,
}

/// <summary>The answer of <see cref="WaitOrBurst.Judge"/>: wait or burst, the term that decided, and why in words.</summary>
/// <param name="LimitAt">When waiting stops being acceptable (the moment to look again exactly); null when no term sets one.</param>
public readonly record struct WaitVerdict(bool Wait, WaitTerm Term, DateTimeOffset? LimitAt, string Words);

/// <summary>
/// The broker's rule for a job that has no idle on-prem GPUs now but is expected to get them at <c>onPremStart</c>.
/// Waiting is acceptable while it stays within the policy's maximum wait (counted from submit), <b>or</b> while it keeps
/// the job's slowdown (completion − submit) / runtime within the maximum slowdown, when the policy sets one: a 30-minute
/// wait is nothing to a 60-day job and everything to a 10-minute one. A job hurt by every wait term it has bursts, unless
/// the policy prices waiting and the waiting it would avoid is worth less than what the cloud costs beyond on-prem. A
/// deadline that on-prem would miss always bursts. The runtime is an input (today the job's own estimate) so a learned
/// prediction can take its place.
/// </summary>
public static class WaitOrBurst
{
    /// <summary>Waits longer than this are not planned for (keeps the arithmetic finite for huge slowdowns).</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(3650);

    /// <summary>The latest on-prem start the wait terms tolerate: the later of the max-wait and the max-slowdown moments.</summary>
    public static DateTimeOffset Limit(PendingJob job, BurstPolicy policy, TimeSpan runtimeEstimate) =>
        SlowdownLimit(job, policy, runtimeEstimate) is { } bySlowdown && bySlowdown > MaxWaitLimit(job, policy)
            ? bySlowdown
            : MaxWaitLimit(job, policy);

    /// <param name="cloudExtraCost">What the best cloud option costs beyond running the same work on-prem (null: no option).</param>
    public static WaitVerdict Judge(PendingJob job, BurstPolicy policy, TimeSpan runtimeEstimate, DateTimeOffset onPremStart,
        DateTimeOffset now, decimal? cloudExtraCost)
    {
        var remaining = Remaining(job, runtimeEstimate);
        DateTimeOffset? latestStart = job.Deadline is { } d ? d - remaining : null;
        if (onPremStart > latestStart)
        {
            return new(false, WaitTerm.Deadline, null, $"on-prem (start in {Format(onPremStart - now)}) would miss the deadline");
        }
        var byWait = MaxWaitLimit(job, policy);
        var bySlowdown = SlowdownLimit(job, policy, runtimeEstimate);
        var limit = bySlowdown > byWait ? bySlowdown.Value : byWait;
        var lookBy = latestStart < limit ? latestStart.Value : limit;
        var wait = Format(onPremStart - job.SubmittedAt);
        var queued = job.QueuedSince > job.SubmittedAt ? Format(onPremStart - job.QueuedSince, " since its requeue") : wait;
        var maxWait = Format(policy.MaxWaitBeforeBurst);
        if (onPremStart <= byWait)
        {
            return new(true, WaitTerm.MaxWait, lookBy, $"max wait: a wait of {queued} is within the {maxWait} max wait");
        }
        var slowdown = Slowdown(job, onPremStart, remaining, runtimeEstimate);
        if (onPremStart <= bySlowdown)
        {
            return new(true, WaitTerm.MaxSlowdown, lookBy, string.Create(CultureInfo.InvariantCulture,
                $"max slowdown: a wait of {wait} slows this {Format(runtimeEstimate)} job {slowdown:0.##}x, within the {policy.MaxSlowdown:0.##}x max slowdown"));
        }
        var hurt = new Hurt(queued, maxWait, Format(runtimeEstimate), slowdown, policy.MaxSlowdown);
        if (policy.WaitPricePerGpuHour is { } price && cloudExtraCost is { } extra)
        {
            var avoided = onPremStart - now;
            var worth = price * job.GpusCharged * (decimal)avoided.TotalHours;
            return worth < extra
                ? new(true, WaitTerm.WaitPrice, null, string.Create(CultureInfo.InvariantCulture,
                    $"price of waiting: {hurt}, but {Format(avoided)} of waiting is worth ${worth:0.##} at ${price:0.##} per GPU-hour, less than the ${extra:0.##} the cloud costs beyond on-prem"))
                : new(false, WaitTerm.WaitPrice, null, string.Create(CultureInfo.InvariantCulture,
                    $"price of waiting: {hurt}, and {Format(avoided)} of waiting is worth ${worth:0.##} at ${price:0.##} per GPU-hour, more than the ${extra:0.##} the cloud costs beyond on-prem"));
        }
        return new(false, policy.MaxSlowdown is null ? WaitTerm.MaxWait : WaitTerm.MaxSlowdown, null,
            $"{(policy.MaxSlowdown is null ? "max wait" : "max wait and slowdown")}: {hurt}");
    }

    /// <summary>(start − submit + remaining) / runtime: how much longer than its runtime the job takes to finish if it waits.</summary>
    public static double Slowdown(PendingJob job, DateTimeOffset start, TimeSpan remaining, TimeSpan runtimeEstimate) =>
        runtimeEstimate <= TimeSpan.Zero ? double.PositiveInfinity : (start - job.SubmittedAt + remaining) / runtimeEstimate;

    /// <summary>
    /// The max wait bounds each stay in the queue: a job requeued after a run (a spot interruption) counts it from the
    /// requeue. Counted from submit, a requeued job could never wait at all, and one that lost spot went on-demand for days
    /// with on-prem GPUs minutes away.
    /// </summary>
    private static DateTimeOffset MaxWaitLimit(PendingJob job, BurstPolicy policy) => job.QueuedSince + policy.MaxWaitBeforeBurst;

    /// <summary>slowdown ≤ S ⇔ start ≤ submit + S × runtime − remaining; null without a slowdown term.</summary>
    private static DateTimeOffset? SlowdownLimit(PendingJob job, BurstPolicy policy, TimeSpan runtimeEstimate)
    {
        if (policy.MaxSlowdown is not { } s || runtimeEstimate <= TimeSpan.Zero)
        {
            return null;
        }
        var seconds = Math.Min(s * runtimeEstimate.TotalSeconds, Horizon.TotalSeconds);
        return job.SubmittedAt + TimeSpan.FromSeconds(seconds) - Remaining(job, runtimeEstimate);
    }

    private static TimeSpan Remaining(PendingJob job, TimeSpan runtimeEstimate)
    {
        var remaining = runtimeEstimate - job.SavedProgress;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    /// <summary>A wait in words: days from two days on (invariant), otherwise as <see cref="UniformProgress"/> words it.</summary>
    private static ShortDuration Format(TimeSpan span, string suffix = "") => new(span, Days: true, suffix);

    /// <summary>How the wait hurts the job: "a wait of … exceeds the … max wait" and, with a slowdown term, how much it slows
    /// the job. Written into the verdict's words directly (invariant numbers, as before).</summary>
    private readonly record struct Hurt(ShortDuration Queued, ShortDuration MaxWait, ShortDuration Runtime, double Slowdown,
        double? MaxSlowdown) : ISpanFormattable
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{this}");

        public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
            MaxSlowdown is { } max
                ? destination.TryWrite(CultureInfo.InvariantCulture,
                    $"a wait of {Queued} exceeds the {MaxWait} max wait and slows this {Runtime} job {Slowdown:0.##}x, above the {max:0.##}x max slowdown",
                    out charsWritten)
                : destination.TryWrite(CultureInfo.InvariantCulture, $"a wait of {Queued} exceeds the {MaxWait} max wait", out charsWritten);
    }
}
