using System.Text;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

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

    /// <summary>
    /// Several chunks of one segment's output in one transaction (the caller's, when one is open), each as
    /// <see cref="AppendAsync"/>: one round trip (a batch, its own implicit transaction when the caller has none) of an
    /// insert per chunk, its job taken from the allocation row, then one cap for all of them. For the distinct chunks a
    /// call carries, capping once after the inserts drops the same chunks, and counts the same bytes, as capping after
    /// each: a chunk over the cap only gets more newer bytes ahead of it.
    /// </summary>
    public async Task<IReadOnlyList<LogAppendResult>> AppendAllAsync(Guid allocationId, IReadOnlyList<LogChunkText> chunks, CancellationToken ct)
    {
        if (chunks.Count == 0)
        {
            return [];
        }
        var stored = await InsertAndCapAsync(allocationId, chunks, ct);
        if (!stored.Contains(true)
            && !await db.Allocations.AsNoTracking().AnyAsync(a => a.Id == allocationId, ct))
        {
            return [.. chunks.Select(_ => LogAppendResult.UnknownAllocation)];
        }
        return [.. stored.Select(s => s ? LogAppendResult.Stored : LogAppendResult.Duplicate)];
    }

    /// <summary>Whether each chunk was inserted (false: a duplicate, or an allocation this database does not know).</summary>
    private async Task<bool[]> InsertAndCapAsync(Guid allocationId, IReadOnlyList<LogChunkText> chunks, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            var now = clock.GetUtcNow();
            foreach (var chunk in chunks)
            {
                batch.BatchCommands.Add(Command("""
                    INSERT INTO log_chunks (job_id, allocation_id, stream, "offset", bytes, text, received_at)
                    SELECT a.job_id, a.id, $2, $3, $4, $5, $6 FROM allocations a WHERE a.id = $1
                    ON CONFLICT (allocation_id, stream, "offset") DO NOTHING
                    """, allocationId, chunk.Stream, chunk.Offset, Encoding.UTF8.GetByteCount(chunk.Text), chunk.Text, now));
            }
            // Newest chunks first: everything beyond the cap, counted from the newest, goes (and is counted as dropped).
            // Under a cap that has not changed, capping again after a duplicate drops nothing.
            batch.BatchCommands.Add(Command("""
                WITH job AS (SELECT a.job_id FROM allocations a WHERE a.id = $1),
                ranked AS (
                    SELECT c.id, c.bytes, SUM(c.bytes) OVER (ORDER BY c.id DESC) AS newer FROM log_chunks c WHERE c.job_id = (SELECT job_id FROM job)),
                doomed AS (
                    DELETE FROM log_chunks c USING ranked r WHERE c.id = r.id AND r.newer > $2 RETURNING c.bytes)
                INSERT INTO log_drops (job_id, dropped_bytes)
                SELECT (SELECT job_id FROM job), SUM(bytes) FROM doomed HAVING COUNT(*) > 0
                ON CONFLICT (job_id) DO UPDATE SET dropped_bytes = log_drops.dropped_bytes + EXCLUDED.dropped_bytes
                """, allocationId, options.MaxBytesPerJob));
            await batch.ExecuteNonQueryAsync(ct);
            var inserted = new bool[chunks.Count];
            for (var i = 0; i < inserted.Length; i++)
            {
                inserted[i] = batch.BatchCommands[i].RecordsAffected > 0;
            }
            return inserted;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
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
