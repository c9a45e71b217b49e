using Broker.Core.Persistence;
using Broker.Core.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Broker.Core.Jobs;

/// <summary>
/// Writes a new job with its labels and its first event in one statement that inserts nothing when the team already used
/// the job's idempotency key (<c>ON CONFLICT ... DO NOTHING</c>): a repeat costs no look-up first and raises no unique
/// violation, which EF would log as an error on every legitimate client retry (ADR 0013). A concurrent insert of the same
/// key waits for the other's outcome, so exactly one of them writes.
/// </summary>
internal static class NewJobInsert
{
    internal const string Sql = """
        WITH job AS (
            INSERT INTO jobs (id, team, name, state, gpu_count, gpu_models, gpu_min_memory_gb, gpu_share, gpu_mig_profile,
                cpu_cores, memory_gb, image, command, estimated_duration, deadline, priority, spot_allowed, checkpoint_interval,
                max_price_per_gpu_hour, env, secret_env, submitted_at, updated_at, idempotency_key, request_hash, attempts,
                interruptions, migrations, saved_progress, latest_explanation)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
                $24, $25, $26, $27, $28, $29, $30)
            ON CONFLICT (team, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id, seq, xmin),
        labels AS (
            INSERT INTO job_labels (job_id, key, value)
            SELECT job.id, l.key, l.value FROM job, unnest($31::text[], $32::text[]) AS l(key, value)),
        event AS (
            INSERT INTO job_events (job_id, at, kind, message)
            SELECT job.id, e.at, e.kind, e.message FROM job, unnest($33::timestamptz[], $34::text[], $35::text[]) AS e(at, kind, message)
            RETURNING id)
        SELECT job.seq, job.xmin, (SELECT array_agg(event.id ORDER BY event.id) FROM event) FROM job
        """;

    /// <summary>
    /// Inserts <paramref name="job"/> (not tracked by <paramref name="db"/>) on its connection and current transaction and
    /// fills in what the database assigns (<see cref="Job.Seq"/>, <see cref="Job.Version"/>, the events' ids). False when
    /// its team already has a job with its idempotency key: then nothing was written.
    /// </summary>
    public static async Task<bool> TryAsync(BrokerDbContext db, Job job, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand(Sql, connection)
            {
                Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction(),
            };
            AddParameters(command.Parameters, job);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return false;
            }
            job.Seq = reader.GetInt64(0);
            job.Version = reader.GetFieldValue<uint>(1);
            var eventIds = reader.GetFieldValue<long[]>(2);
            for (var i = 0; i < job.Events.Count; i++)
            {
                job.Events[i].Id = eventIds[i];
            }
            return true;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void AddParameters(NpgsqlParameterCollection p, Job job)
    {
        Add(p, job.Id, NpgsqlDbType.Uuid);
        Add(p, job.Team, NpgsqlDbType.Varchar);
        Add(p, job.Name, NpgsqlDbType.Varchar);
        Add(p, job.State.ToString(), NpgsqlDbType.Varchar);
        Add(p, job.Gpu.Count, NpgsqlDbType.Integer);
        Add(p, job.Gpu.Models.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(p, job.Gpu.MinMemoryGb, NpgsqlDbType.Integer);
        Add(p, job.Gpu.Share, NpgsqlDbType.Numeric);
        Add(p, job.Gpu.MigProfile, NpgsqlDbType.Varchar);
        Add(p, job.CpuCores, NpgsqlDbType.Integer);
        Add(p, job.MemoryGb, NpgsqlDbType.Integer);
        Add(p, job.Image, NpgsqlDbType.Varchar);
        Add(p, job.Command.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(p, job.EstimatedDuration, NpgsqlDbType.Interval);
        Add(p, job.Deadline, NpgsqlDbType.TimestampTz);
        Add(p, job.Priority, NpgsqlDbType.Integer);
        Add(p, job.SpotAllowed, NpgsqlDbType.Boolean);
        Add(p, job.CheckpointInterval, NpgsqlDbType.Interval);
        Add(p, job.MaxPricePerGpuHour, NpgsqlDbType.Numeric);
        Add(p, JsonMap.Converter.ConvertToProviderTyped(job.Env), NpgsqlDbType.Jsonb);
        Add(p, JsonMap.Converter.ConvertToProviderTyped(job.SecretEnv), NpgsqlDbType.Jsonb);
        Add(p, job.SubmittedAt, NpgsqlDbType.TimestampTz);
        Add(p, job.UpdatedAt, NpgsqlDbType.TimestampTz);
        Add(p, job.IdempotencyKey, NpgsqlDbType.Varchar);
        Add(p, job.RequestHash, NpgsqlDbType.Varchar);
        Add(p, job.Attempts, NpgsqlDbType.Integer);
        Add(p, job.Interruptions, NpgsqlDbType.Integer);
        Add(p, job.Migrations, NpgsqlDbType.Integer);
        Add(p, job.SavedProgress, NpgsqlDbType.Interval);
        Add(p, job.LatestExplanation, NpgsqlDbType.Jsonb);
        Add(p, job.Labels.Select(l => l.Key).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(p, job.Labels.Select(l => l.Value).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(p, job.Events.Select(e => e.At).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz);
        Add(p, job.Events.Select(e => e.Kind.ToString()).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(p, job.Events.Select(e => e.Message).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
    }

    private static void Add(NpgsqlParameterCollection parameters, object? value, NpgsqlDbType type) =>
        parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = type });
}
