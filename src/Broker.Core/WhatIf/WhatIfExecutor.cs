using Broker.Core.Costs;
using Broker.Core.Placement;
using Broker.Core.Policies;
using Broker.Core.Scheduling;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.WhatIf;

/// <summary>
/// Computes one what-if run, at least once and possibly twice at the same time: a worker first claims the run under its
/// row lock (only a queued run, or a running one whose holder stopped heartbeating, can be claimed); every progress write
/// and the final result are conditional on still holding the claim. A permanent input problem ends the run
/// <c>failed</c> with its reason; a run that keeps stopping without finishing fails after <see cref="WhatIfSettings.MaxAttempts"/>.
/// </summary>
public sealed class WhatIfExecutor(WhatIfClaims claims, WhatIfHistory history, WhatIfTraces traces, WhatIfWorld world,
    PolicyService policies, OnPremRates rates, PlacementSettings placement, WhatIfSettings settings, TimeProvider clock,
    ILogger<WhatIfExecutor> logger)
{
    public async Task RunAsync(Guid id, CancellationToken ct)
    {
        if (await claims.TryClaimAsync(id, ct) is not { } claim)
        {
            return;
        }
        var progress = new WhatIfProgress(claims, claim, settings.ProgressInterval, clock);
        try
        {
            var started = clock.GetTimestamp();
            var (result, changes, timing) = await ComputeAsync(claim.Run, progress, ct);
            var writing = clock.GetTimestamp();
            await claims.FinishAsync(claim, result, changes, ct);
            logger.LogInformation("What-if {Id} took read={ReadS:F2}s replay={ReplayS:F2}s write={WriteS:F2}s total={TotalS:F2}s", id,
                timing.Read.TotalSeconds, timing.Replay.TotalSeconds, clock.GetElapsedTime(writing).TotalSeconds,
                clock.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (e is WhatIfInputException or TraceFormatException or InvalidOperationException or ArgumentException
            or FormatException or System.Text.Json.JsonException)
        {
            logger.LogWarning("What-if {Id} failed for good: {Reason}", id, e.Message);
            await claims.FailAsync(claim, e.Message, ct);
        }
        catch (WhatIfClaimLostException)
        {
            logger.LogInformation("What-if {Id} was taken over by another worker; this one stops", id);
        }
        catch
        {
            // Transient (database away, shutdown): let the next attempt claim it at once instead of waiting for the lease.
            await claims.ReleaseAsync(claim, CancellationToken.None);
            throw;
        }
    }

    private async Task<(WhatIfResult, IReadOnlyList<WhatIfChange>, (TimeSpan Read, TimeSpan Replay))> ComputeAsync(WhatIfRun run,
        WhatIfProgress progress, CancellationToken ct)
    {
        var reading = clock.GetTimestamp();
        var request = WhatIfRequest.FromJson(run.Request);
        var rate = (await rates.PerGpuHourAsync(ct)).At(clock.GetUtcNow());
        var current = await policies.ForEngineAsync(rate, null, ct);
        var proposed = await policies.ForEngineAsync(rate, (run.Scope, request.Policy ?? PolicyDocument.Empty), ct);
        var jobs = request.Trace is { } trace ? traces.Load(trace)
            : await history.LoadAsync(request.From!.Value, request.To!.Value, ct);
        var (scenario, spotModel) = await world.LoadAsync($"what-if {run.Id}", rate, ct);
        await progress.ReportAsync(0.05, ct);
        var read = clock.GetElapsedTime(reading);
        var replaying = clock.GetTimestamp();
        var strategy = placement.Strategy;
        // The two replays share nothing mutable (each builds its own fleet, clouds and queue), so they run side by side.
        var (now, then) = await ReplayBothAsync(
            () => ReplayRunner.Run(scenario, jobs.Window, jobs.Jobs, strategy, current, progress.Part(0, 0.05, 0.95)),
            () => ReplayRunner.Run(scenario, jobs.Window, jobs.Jobs, strategy, proposed, progress.Part(1, 0.05, 0.95)),
            progress, ct);
        var replayed = clock.GetElapsedTime(replaying);
        var changes = WhatIfComparison.Changes(run.Id, jobs.Jobs, now, then, jobs.Actual);
        var result = new WhatIfResult(WhatIfComparison.Summary(now.Summary), WhatIfComparison.Summary(then.Summary),
            changes.Count(c => c.Changed), jobs.Jobs.Count, jobs.Skipped,
            jobs.Actual is { } actual ? WhatIfComparison.MatchesHistory(now, actual, jobs.Jobs) : null,
            ReplayClock.At(jobs.Window.StartS), ReplayClock.At(jobs.Window.EndS), spotModel);
        return (result, changes, (read, replayed));
    }

    /// <summary>Runs both replays off the job's thread while this one writes their progress (throttled) until both end.</summary>
    private static async Task<(ReplayResult Current, ReplayResult Proposed)> ReplayBothAsync(Func<ReplayResult> current,
        Func<ReplayResult> proposed, WhatIfProgress progress, CancellationToken ct)
    {
        // Dedicated threads, not pool threads: two CPU-bound replays on a 2-core machine would hold the pool's minimum
        // threads and stall every request and progress write of the process until the pool grows.
        var first = Task.Factory.StartNew(current, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var second = Task.Factory.StartNew(proposed, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var both = Task.WhenAll(first, second);
        while (!both.IsCompleted)
        {
            await Task.WhenAny(both, Task.Delay(progress.Interval, CancellationToken.None));
            if (!both.IsCompleted)
            {
                try
                {
                    await progress.FlushAsync(ct);
                }
                catch
                {
                    progress.Abort();
                    // Both replays stop at their next arrival once aborted; wait for them so none outlives the claim.
                    await Task.WhenAll(first, second).ContinueWith(_ => { }, CancellationToken.None,
                        TaskContinuationOptions.None, TaskScheduler.Default);
                    throw;
                }
            }
        }
        return (await first, await second);
    }
}
