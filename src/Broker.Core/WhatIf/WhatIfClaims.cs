using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Broker.Core.WhatIf;

/// <summary>A worker's hold on one run: every write it makes names <see cref="Token"/>.</summary>
public sealed record WhatIfClaim(WhatIfRun Run, Guid Token);

/// <summary>Another worker took the run over (this one's heartbeat had gone stale): stop without writing.</summary>
public sealed class WhatIfClaimLostException() : Exception("the what-if run was claimed by another worker");

/// <summary>
/// The state changes of a run, each guarded in PostgreSQL: the claim under the row's lock, progress and the result only
/// while the claim token still matches, so two workers running the same job never both write a result.
/// </summary>
public sealed class WhatIfClaims(BrokerDbContext db, WhatIfSettings settings, TimeProvider clock)
{
    private const int MaxError = 2000;

    public async Task<WhatIfClaim?> TryClaimAsync(Guid id, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var run = await db.WhatIfRuns.FromSql($"SELECT r.*, r.xmin FROM what_if_runs r WHERE r.id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        var now = PostgresTime.Now(clock);
        if (run is not { IsActive: true } || run is { State: WhatIfState.Running, HeartbeatAt: { } beat } && beat > now - settings.Lease)
        {
            return null;
        }
        if (run.Attempts >= settings.MaxAttempts)
        {
            run.State = WhatIfState.Failed;
            run.Error = $"gave up after {run.Attempts} attempts that stopped without finishing (worker crash or database outage)";
            run.FinishedAt = now;
            run.HeartbeatAt = null;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return null;
        }
        run.State = WhatIfState.Running;
        run.Attempts++;
        run.ClaimToken = Guid.NewGuid();
        run.HeartbeatAt = now;
        run.StartedAt ??= now;
        run.Percent = 0;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return new WhatIfClaim(run, run.ClaimToken.Value);
    }

    /// <summary>Writes the percent and the heartbeat; false when the claim was lost.</summary>
    public async Task<bool> ProgressAsync(WhatIfClaim claim, int percent, CancellationToken ct)
    {
        var now = PostgresTime.Now(clock);
        return await Mine(claim).ExecuteUpdateAsync(s => s.SetProperty(r => r.Percent, percent).SetProperty(r => r.HeartbeatAt, now), ct) == 1;
    }

    /// <summary>Stores the result and every job's placements in one transaction, if the claim still holds.</summary>
    public async Task FinishAsync(WhatIfClaim claim, WhatIfResult result, IReadOnlyList<WhatIfChange> changes, CancellationToken ct)
    {
        var now = PostgresTime.Now(clock);
        var json = WhatIfJson.Write(result);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var updated = await Mine(claim).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, WhatIfState.Succeeded).SetProperty(r => r.Percent, 100).SetProperty(r => r.Result, json)
            .SetProperty(r => r.FinishedAt, now).SetProperty(r => r.HeartbeatAt, (DateTimeOffset?)null).SetProperty(r => r.Error, (string?)null), ct);
        if (updated != 1)
        {
            await tx.RollbackAsync(ct);
            throw new WhatIfClaimLostException();
        }
        var id = claim.Run.Id;
        await db.WhatIfChanges.Where(c => c.RunId == id).ExecuteDeleteAsync(ct);
        await CopyAsync((NpgsqlConnection)db.Database.GetDbConnection(), changes, ct);
        await tx.CommitAsync(ct);
    }

    public async Task FailAsync(WhatIfClaim claim, string reason, CancellationToken ct)
    {
        var now = PostgresTime.Now(clock);
        var error = reason.Length <= MaxError ? reason : reason[..MaxError];
        await Mine(claim).ExecuteUpdateAsync(s => s.SetProperty(r => r.State, WhatIfState.Failed).SetProperty(r => r.Error, error)
            .SetProperty(r => r.FinishedAt, now).SetProperty(r => r.HeartbeatAt, (DateTimeOffset?)null), ct);
    }

    /// <summary>Gives the claim back (its heartbeat cleared) so the next attempt may take it at once; best effort.</summary>
    public async Task ReleaseAsync(WhatIfClaim claim, CancellationToken ct)
    {
        try
        {
            await Mine(claim).ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, (DateTimeOffset?)null), ct);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The database is away: the lease runs out instead.
        }
    }

    /// <summary>Runs nobody is computing: queued for a while (the enqueue was lost) or running with a stale heartbeat.</summary>
    public async Task<IReadOnlyList<Guid>> StaleAsync(TimeSpan queuedFor, CancellationToken ct)
    {
        var now = PostgresTime.Now(clock);
        var queuedBefore = now - queuedFor;
        var beatBefore = now - settings.Lease;
        return await db.WhatIfRuns.AsNoTracking()
            .Where(r => (r.State == WhatIfState.Queued && r.CreatedAt < queuedBefore)
                || (r.State == WhatIfState.Running && (r.HeartbeatAt == null || r.HeartbeatAt < beatBefore)))
            .OrderBy(r => r.CreatedAt).Select(r => r.Id).Take(100).ToListAsync(ct);
    }

    private IQueryable<WhatIfRun> Mine(WhatIfClaim claim)
    {
        var id = claim.Run.Id;
        var token = claim.Token;
        return db.WhatIfRuns.Where(r => r.Id == id && r.ClaimToken == token && r.State == WhatIfState.Running);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<WhatIfChange> changes, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY what_if_changes (run_id, seq, job_id, team, changed, \"current\", proposed, actual) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var c in changes)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(c.RunId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(c.Seq, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(c.JobId, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(c.Team, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(c.Changed, NpgsqlDbType.Boolean, ct);
            await copy.WriteAsync(c.Current, NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(c.Proposed, NpgsqlDbType.Jsonb, ct);
            if (c.Actual is null)
            {
                await copy.WriteNullAsync(ct);
            }
            else
            {
                await copy.WriteAsync(c.Actual, NpgsqlDbType.Jsonb, ct);
            }
        }
        await copy.CompleteAsync(ct);
    }
}

/// <summary>
/// The replay's progress, set from the replaying thread and written (throttled) from the job's: the share done maps onto
/// percent 0..99 (100 comes with the result). A lost claim aborts the replay at its next arrival.
/// </summary>
public sealed class WhatIfProgress(WhatIfClaims claims, WhatIfClaim claim, TimeSpan interval, TimeProvider clock)
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    private readonly long[] partBits = new long[2];
    private long fractionBits;
    private volatile bool aborted;
    private int written = -1;
    private DateTimeOffset writtenAt = DateTimeOffset.MinValue;

    public TimeSpan Interval => interval;

    public void Abort() => aborted = true;

    /// <summary>
    /// A callback for one of two replays that run at the same time and together cover [from, to] of the whole: the
    /// whole advances by the mean of the two.
    /// </summary>
    public Action<double> Part(int index, double from, double to) => f =>
    {
        if (aborted)
        {
            throw new OperationCanceledException("the what-if claim was lost");
        }
        Interlocked.Exchange(ref partBits[index], BitConverter.DoubleToInt64Bits(Math.Clamp(f, 0, 1)));
        var mean = (BitConverter.Int64BitsToDouble(Interlocked.Read(ref partBits[0]))
            + BitConverter.Int64BitsToDouble(Interlocked.Read(ref partBits[1]))) / 2;
        RaiseTo(from + (to - from) * mean);
    };

    /// <summary>Two replaying threads race here: keep the larger value so progress never goes back.</summary>
    private void RaiseTo(double fraction)
    {
        var seen = Interlocked.Read(ref fractionBits);
        while (BitConverter.Int64BitsToDouble(seen) < fraction)
        {
            var previous = Interlocked.CompareExchange(ref fractionBits, BitConverter.DoubleToInt64Bits(fraction), seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }

    public Task ReportAsync(double fraction, CancellationToken ct)
    {
        Interlocked.Exchange(ref fractionBits, BitConverter.DoubleToInt64Bits(fraction));
        return FlushAsync(ct);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        var percent = Math.Clamp((int)Math.Floor(BitConverter.Int64BitsToDouble(Interlocked.Read(ref fractionBits)) * 100), 0, 99);
        var now = clock.GetUtcNow();
        if (percent == written && now - writtenAt < Heartbeat)
        {
            return;
        }
        if (!await claims.ProgressAsync(claim, percent, ct))
        {
            Abort();
            throw new WhatIfClaimLostException();
        }
        written = percent;
        writtenAt = now;
    }
}
