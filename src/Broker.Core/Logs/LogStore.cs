using System.Text;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Logs;

public enum LogAppendResult
{
    Stored,
    Duplicate,
    UnknownAllocation,
}

/// <summary>A chunk of a segment's output as shipped: its stream, its byte offset in that stream, its text.</summary>
public sealed record LogChunkText(string Stream, long Offset, string Text);

/// <summary>One line of a segment's output (the last may be unterminated while the segment runs).</summary>
public sealed record LogLine(string Stream, string Text);

public sealed record LogPage(Guid JobId, Guid? Segment, bool Ended, long DroppedBytes, IReadOnlyList<LogLine> Lines, long LastChunkId);

/// <summary>
/// Stores shipped output chunks (idempotent by allocation, stream and offset) and keeps each job under
/// <see cref="LogOptions.MaxBytesPerJob"/> by dropping its oldest chunks, counting what was dropped.
/// </summary>
public sealed class LogStore(BrokerDbContext db, LogOptions options, TimeProvider clock)
{
    /// <summary>One chunk of output, with its cap applied, in one transaction (the caller's, when one is open).</summary>
    public async Task<LogAppendResult> AppendAsync(Guid allocationId, string stream, long offset, string text, CancellationToken ct)
    {
        var results = await AppendAllAsync(allocationId, [new LogChunkText(stream, offset, text)], ct);
        return results[0];
    }

    /// <summary>Several chunks of one segment's output in one transaction (the caller's, when one is open), each as <see cref="AppendAsync"/>.</summary>
    public async Task<IReadOnlyList<LogAppendResult>> AppendAllAsync(Guid allocationId, IReadOnlyList<LogChunkText> chunks, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return await AppendInTransactionAsync(allocationId, chunks, ct);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var results = await AppendInTransactionAsync(allocationId, chunks, ct);
        await tx.CommitAsync(ct);
        return results;
    }

    private async Task<IReadOnlyList<LogAppendResult>> AppendInTransactionAsync(Guid allocationId, IReadOnlyList<LogChunkText> chunks, CancellationToken ct)
    {
        var jobId = await db.Allocations.AsNoTracking().Where(a => a.Id == allocationId).Select(a => (Guid?)a.JobId).FirstOrDefaultAsync(ct);
        var results = new List<LogAppendResult>(chunks.Count);
        foreach (var chunk in chunks)
        {
            results.Add(jobId is { } id ? await AppendOneAsync(id, allocationId, chunk.Stream, chunk.Offset, chunk.Text, ct) : LogAppendResult.UnknownAllocation);
        }
        return results;
    }

    private async Task<LogAppendResult> AppendOneAsync(Guid jobId, Guid allocationId, string stream, long offset, string text, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO log_chunks (job_id, allocation_id, stream, "offset", bytes, text, received_at)
            VALUES ({jobId}, {allocationId}, {stream}, {offset}, {bytes}, {text}, {clock.GetUtcNow()})
            ON CONFLICT (allocation_id, stream, "offset") DO NOTHING
            """, ct);
        if (inserted == 0)
        {
            return LogAppendResult.Duplicate;
        }
        // Newest chunks first: everything beyond the cap, counted from the newest, goes (and is counted as dropped).
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH ranked AS (
                SELECT id, bytes, SUM(bytes) OVER (ORDER BY id DESC) AS newer FROM log_chunks WHERE job_id = {jobId}),
            doomed AS (
                DELETE FROM log_chunks c USING ranked r WHERE c.id = r.id AND r.newer > {options.MaxBytesPerJob} RETURNING c.bytes)
            INSERT INTO log_drops (job_id, dropped_bytes)
            SELECT {jobId}, SUM(bytes) FROM doomed HAVING COUNT(*) > 0
            ON CONFLICT (job_id) DO UPDATE SET dropped_bytes = log_drops.dropped_bytes + EXCLUDED.dropped_bytes
            """, ct);
        return LogAppendResult.Stored;
    }

    /// <summary>
    /// The segment's lines (the job's latest segment when <paramref name="segment"/> is null), the last
    /// <paramref name="tail"/> when given, and whether the segment has ended. A job of another team is not found.
    /// </summary>
    public async Task<LogPage> ReadAsync(Guid jobId, string? team, Guid? segment, int? tail, long afterChunkId, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId && (team == null || j.Team == team))
            .Select(j => new { j.Id, j.State }).FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Job", jobId);
        var segments = await db.Allocations.AsNoTracking().Where(a => a.JobId == jobId).OrderBy(a => a.CreatedAt)
            .Select(a => new { a.Id, a.State }).ToListAsync(ct);
        var chosen = segment is { } wanted
            ? segments.FirstOrDefault(s => s.Id == wanted) ?? throw new NotFoundException("Segment", wanted)
            : segments.LastOrDefault();
        var dropped = await db.Set<LogDrop>().AsNoTracking().Where(d => d.JobId == jobId).Select(d => d.DroppedBytes).FirstOrDefaultAsync(ct);
        if (chosen is null)
        {
            return new LogPage(jobId, null, JobStateMachine.IsTerminal(job.State), dropped, [], afterChunkId);
        }
        var ended = chosen.State is Provisioning.AllocationState.Releasing or Provisioning.AllocationState.Closed;
        var chunks = await db.Set<LogChunk>().AsNoTracking().Where(c => c.AllocationId == chosen.Id && c.Id > afterChunkId)
            .OrderBy(c => c.Id).Select(c => new { c.Id, c.Stream, c.Text }).ToListAsync(ct);
        var lines = new List<LogLine>();
        foreach (var chunk in chunks)
        {
            var parts = chunk.Text.Split('\n');
            var count = chunk.Text.EndsWith('\n') ? parts.Length - 1 : parts.Length;
            lines.AddRange(parts.Take(count).Select(part => new LogLine(chunk.Stream, part.TrimEnd('\r'))));
        }
        if (tail is { } t && lines.Count > t)
        {
            lines = lines[^t..];
        }
        return new LogPage(jobId, chosen.Id, ended, dropped, lines, chunks.Count > 0 ? chunks[^1].Id : afterChunkId);
    }
}
