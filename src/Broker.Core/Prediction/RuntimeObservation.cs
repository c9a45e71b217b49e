namespace Broker.Core.Prediction;

/// <summary>One finished job as the predictor learns from it: what the user asked for and what the job really took.</summary>
/// <param name="Signature">What makes runs of "the same job" alike (see <see cref="JobSignature"/>); empty when unknown.</param>
/// <param name="Requested">The user's own estimate (the job's limit).</param>
/// <param name="Actual">The runtime the job really took (total work, checkpointed progress included).</param>
/// <param name="CompletedAt">When it finished: learning may only use jobs finished before the moment it predicts for.</param>
public sealed record RuntimeObservation(
    string Team,
    string Signature,
    int Gpus,
    TimeSpan Requested,
    TimeSpan Actual,
    DateTimeOffset CompletedAt);

/// <summary>A job to predict for. <paramref name="Progress"/> is the work it has already done (running or checkpointed).</summary>
public sealed record RuntimeQuery(string Team, string Signature, int Gpus, TimeSpan Requested, TimeSpan Progress = default);

/// <summary>
/// A quantile runtime: <see cref="Median"/> is the planning estimate, [<see cref="Low"/>, <see cref="High"/>] the
/// central interval of <see cref="IntervalCoverage"/> nominal coverage. All three lie in [progress, requested]: a
/// prediction never exceeds the user's limit and never claims a running job ends before the work it has done.
/// </summary>
/// <param name="Basis">Which history it rests on, e.g. "team+signature+gpus (12 jobs)", or "user estimate (no history)".</param>
public sealed record RuntimePrediction(TimeSpan Median, TimeSpan Low, TimeSpan High, double IntervalCoverage, string Basis, int Samples);
