using Broker.Core.Costs;
using Broker.Core.Placement;
using Broker.Core.Policies;
using Broker.Core.Scheduling;
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
            var (result, changes) = await ComputeAsync(claim.Run, progress, ct);
            await claims.FinishAsync(claim, result, changes, ct);
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

    private async Task<(WhatIfResult, IReadOnlyList<WhatIfChange>)> ComputeAsync(WhatIfRun run, WhatIfProgress progress, CancellationToken ct)
    {
        var request = WhatIfRequest.FromJson(run.Request);
        var rate = (await rates.PerGpuHourAsync(ct)).At(clock.GetUtcNow());
        var current = await policies.ForEngineAsync(rate, null, ct);
        var proposed = await policies.ForEngineAsync(rate, (run.Scope, request.Policy ?? PolicyDocument.Empty), ct);
        var jobs = request.Trace is { } trace ? traces.Load(trace)
            : await history.LoadAsync(request.From!.Value, request.To!.Value, ct);
        var (scenario, spotModel) = await world.LoadAsync($"what-if {run.Id}", rate, ct);
        await progress.ReportAsync(0.05, ct);
        var strategy = placement.Strategy;
        var now = await ReplayAsync(() => ReplayRunner.Run(scenario, jobs.Window, jobs.Jobs, strategy, current, progress.Between(0.05, 0.5)),
            progress, ct);
        var then = await ReplayAsync(() => ReplayRunner.Run(scenario, jobs.Window, jobs.Jobs, strategy, proposed, progress.Between(0.5, 0.95)),
            progress, ct);
        var changes = WhatIfComparison.Changes(run.Id, jobs.Jobs, now, then, jobs.Actual);
        var result = new WhatIfResult(WhatIfComparison.Summary(now.Summary), WhatIfComparison.Summary(then.Summary),
            changes.Count(c => c.Changed), jobs.Jobs.Count, jobs.Skipped,
            jobs.Actual is { } actual ? WhatIfComparison.MatchesHistory(now, actual, jobs.Jobs) : null,
            ReplayClock.At(jobs.Window.StartS), ReplayClock.At(jobs.Window.EndS), spotModel);
        return (result, changes);
    }

    /// <summary>Runs one replay off the request thread while this one writes its progress (throttled) until it ends.</summary>
    private static async Task<ReplayResult> ReplayAsync(Func<ReplayResult> replay, WhatIfProgress progress, CancellationToken ct)
    {
        var task = Task.Run(replay, CancellationToken.None);
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(progress.Interval, CancellationToken.None));
            if (!task.IsCompleted)
            {
                try
                {
                    await progress.FlushAsync(ct);
                }
                catch
                {
                    progress.Abort();
                    throw;
                }
            }
        }
        return await task;
    }
}
