using System.Collections.Frozen;
using Broker.Core.Errors;

namespace Broker.Core.Jobs;

/// <summary>The legal moves between job states; everything else is refused.</summary>
public static class JobStateMachine
{
    private static readonly FrozenDictionary<JobState, JobState[]> Allowed = new Dictionary<JobState, JobState[]>
    {
        [JobState.Pending] = [JobState.Placed, JobState.Cancelled, JobState.Failed],
        [JobState.Placed] = [JobState.Starting, JobState.Running, JobState.Pending, JobState.Cancelled, JobState.Failed],
        [JobState.Starting] = [JobState.Running, JobState.Pending, JobState.Cancelled, JobState.Failed],
        [JobState.Running] = [JobState.Succeeded, JobState.Failed, JobState.Pending, JobState.Cancelled],
        [JobState.Succeeded] = [],
        [JobState.Failed] = [],
        [JobState.Cancelled] = [],
    }.ToFrozenDictionary();

    public static bool IsTerminal(JobState state) => Allowed[state].Length == 0;

    public static bool CanMove(JobState from, JobState to) => Allowed[from].Contains(to);

    public static void EnsureCanMove(JobState from, JobState to)
    {
        if (!CanMove(from, to))
        {
            throw new ConflictException(IsTerminal(from)
                ? $"The job is already {from.ToString().ToLowerInvariant()}; it cannot become {to.ToString().ToLowerInvariant()}."
                : $"A {from.ToString().ToLowerInvariant()} job cannot become {to.ToString().ToLowerInvariant()}.");
        }
    }
}
