using Broker.Core.Prediction;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Replay;

/// <summary>
/// What the engine believes about runtimes during a replay. Oracle scenarios plan with the real durations; otherwise the
/// engine sees only the users' limits and, when learning, runtimes predicted from jobs that have finished so far: a job
/// is learned from at the moment it completes, never earlier, and the statistics are rebuilt (a "retrain") whenever the
/// number of finished jobs has grown by 5% since the last one, as the product's background training does.
/// </summary>
internal sealed class ReplayRuntimeModel
{
    private readonly RuntimeLearner learner = new();
    private readonly List<LearningEvent> learned = [];
    private readonly List<JobPrediction> predictions = [];
    private readonly bool oracle;
    private readonly bool learning;
    private RuntimeStatistics statistics = RuntimeStatistics.Empty;
    private long trainedAtS = long.MinValue;
    private int trainedOn;

    public ReplayRuntimeModel(EstimateSettings? settings)
    {
        oracle = (settings?.Mode ?? EstimateModes.Oracle) == EstimateModes.Oracle;
        learning = !oracle && settings!.Learn;
    }

    public int Generation { get; private set; }

    public IReadOnlyList<LearningEvent> Learned => learned;

    public IReadOnlyList<JobPrediction> Predictions => predictions;

    /// <summary>A job completed at <paramref name="t"/>: it joins the history from now on.</summary>
    public void Completed(SimJob job, long t)
    {
        if (!learning)
        {
            return;
        }
        var trace = job.Trace;
        learner.Learn(new RuntimeObservation(trace.Team, trace.Signature, trace.Gpus, TimeSpan.FromSeconds(trace.RequestedS),
            TimeSpan.FromSeconds(trace.DurationS), ReplayClock.At(t)));
        learned.Add(new LearningEvent(trace.JobId, t));
        if (learner.Observations - trainedOn >= Math.Max(1, trainedOn / 20))
        {
            statistics = learner.Build();
            trainedOn = learner.Observations;
            trainedAtS = t;
            Generation++;
        }
    }

    /// <summary>The total runtime the engine plans with for a job that has done <paramref name="progressS"/> of work.</summary>
    public long PlannedS(SimJob job, long progressS) => oracle ? job.Trace.DurationS
        : !learning ? job.Trace.RequestedS
        : (long)Predict(job, progressS).Median.TotalSeconds;

    /// <summary>Records what the engine believed when the job first started (for the error figures).</summary>
    public void FirstStart(SimJob job, long t)
    {
        var trace = job.Trace;
        var p = learning ? Predict(job, job.SavedS) : null;
        var planned = PlannedS(job, job.SavedS);
        predictions.Add(new JobPrediction(trace.JobId, t, trace.RequestedS, trace.DurationS, planned,
            p is null ? planned : (long)p.Low.TotalSeconds, p is null ? planned : (long)p.High.TotalSeconds,
            p?.Basis ?? (oracle ? "oracle" : "user estimate"), learning ? trainedAtS : long.MinValue, trainedOn));
    }

    private RuntimePrediction Predict(SimJob job, long progressS) => RuntimePredictor.Predict(statistics,
        new RuntimeQuery(job.Trace.Team, job.Trace.Signature, job.Trace.Gpus, TimeSpan.FromSeconds(job.Trace.RequestedS),
            TimeSpan.FromSeconds(progressS)));
}

/// <summary>A finished job entered the replay's learned history at <paramref name="AtS"/>.</summary>
public sealed record LearningEvent(string JobId, long AtS);

/// <summary>
/// What the engine planned with when a job first started: the planned runtime and interval (seconds), from statistics
/// trained at <paramref name="TrainedAtS"/> on <paramref name="TrainedOn"/> finished jobs, against the real runtime.
/// </summary>
public sealed record JobPrediction(string JobId, long AtS, long RequestedS, long ActualS, long PredictedS, long LowS, long HighS,
    string Basis, long TrainedAtS, int TrainedOn);
