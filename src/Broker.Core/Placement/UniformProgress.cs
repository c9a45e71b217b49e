using System.Globalization;

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
            ? $"slack {Short(slack)} before the deadline cannot absorb an interruption ({Short(loss)})"
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

    internal static string Format(TimeSpan span) => Short(span).ToString();

    /// <summary><see cref="Format"/> as a value to put in an interpolated string, written there without a string of its own.</summary>
    internal static ShortDuration Short(TimeSpan span) => new(span);
}

/// <summary>
/// A duration in the words of the explanations, "1.5h" or "20m" (current culture, as these words always were), or with
/// <paramref name="Days"/> "2.5d" from two days on (invariant); <paramref name="Suffix"/> follows it. Formats straight into
/// the interpolated string that holds it: a pass words 100,000 jobs and these pieces would otherwise each be a string.
/// </summary>
internal readonly record struct ShortDuration(TimeSpan Span, bool Days = false, string Suffix = "") : ISpanFormattable
{
    public override string ToString() => string.Create(null, stackalloc char[64], $"{this}");

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <remarks>The provider of the enclosing string is ignored: the words are the same whichever string holds them.</remarks>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var span = Span;
        var sign = "";
        if (Days && span.TotalDays >= 2)
        {
            return destination.TryWrite(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#}d{Suffix}", out charsWritten);
        }
        if (span < TimeSpan.Zero)
        {
            sign = "-";
            span = -span;
        }
        return span.TotalHours >= 1
            ? destination.TryWrite(CultureInfo.CurrentCulture, $"{sign}{span.TotalHours:0.#}h{Suffix}", out charsWritten)
            : destination.TryWrite(CultureInfo.CurrentCulture, $"{sign}{Math.Round(span.TotalMinutes)}m{Suffix}", out charsWritten);
    }
}
