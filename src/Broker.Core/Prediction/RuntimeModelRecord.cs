namespace Broker.Core.Prediction;

/// <summary>One training of the runtime predictor, as stored in PostgreSQL (table <c>runtime_models</c>).</summary>
public sealed class RuntimeModelRecord
{
    public long Id { get; set; }

    public DateTimeOffset TrainedAt { get; set; }

    /// <summary>Finished jobs it was trained on.</summary>
    public int Observations { get; set; }

    /// <summary>The latest completion among them; with <see cref="Observations"/>, how the next run tells whether anything changed.</summary>
    public DateTimeOffset? LatestCompletedAt { get; set; }

    /// <summary><see cref="RuntimeStatistics"/> as JSON (jsonb).</summary>
    public string Statistics { get; set; } = "{}";
}

/// <summary>
/// The runtime predicted for one job (table <c>job_runtime_predictions</c>): refreshed while the job waits, frozen once it
/// starts, and compared with the real runtime when it succeeds.
/// </summary>
public sealed class JobRuntimePrediction
{
    public Guid JobId { get; set; }

    public long ModelId { get; set; }

    public DateTimeOffset PredictedAt { get; set; }

    public TimeSpan Median { get; set; }

    public TimeSpan Low { get; set; }

    public TimeSpan High { get; set; }

    public double IntervalCoverage { get; set; }

    public string Basis { get; set; } = "";

    /// <summary>The real runtime (checkpointed work plus the last segment), once the job succeeded.</summary>
    public TimeSpan? Actual { get; set; }

    public uint Version { get; set; }
}
