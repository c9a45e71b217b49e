namespace Broker.Core.Jobs;

/// <summary>A team's GPU job. Its state only changes through <see cref="MoveTo"/>, which enforces <see cref="JobStateMachine"/>.</summary>
public sealed class Job
{
    public Guid Id { get; set; }

    /// <summary>Insertion order, used as the keyset for paging.</summary>
    public long Seq { get; set; }

    public string Team { get; set; } = "";

    public string Name { get; set; } = "";

    public JobState State { get; private set; } = JobState.Pending;

    public GpuRequest Gpu { get; set; } = new();

    public int CpuCores { get; set; }

    public int MemoryGb { get; set; }

    public string Image { get; set; } = "";

    public List<string> Command { get; set; } = [];

    public TimeSpan EstimatedDuration { get; set; }

    public DateTimeOffset? Deadline { get; set; }

    public int Priority { get; set; }

    public bool SpotAllowed { get; set; }

    public TimeSpan? CheckpointInterval { get; set; }

    public decimal? MaxPricePerGpuHour { get; set; }

    public List<JobLabel> Labels { get; set; } = [];

    /// <summary>Plain variables for the job (not secret; shown in the job's JSON).</summary>
    public Dictionary<string, string> Env { get; set; } = [];

    /// <summary>Variable name to the name of an ops-registered secret; the value is fetched by the job's script at run time.</summary>
    public Dictionary<string, string> SecretEnv { get; set; } = [];

    public bool HasEnvironment => Env.Count > 0 || SecretEnv.Count > 0;

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? IdempotencyKey { get; set; }

    public string? RequestHash { get; set; }

    public List<JobEvent> Events { get; set; } = [];

    /// <summary>Run segments started so far (each placement that reached a machine).</summary>
    public int Attempts { get; set; }

    public int Interruptions { get; set; }

    /// <summary>Times the broker moved the job from the cloud back on-prem (ADR 0009, amendment): a job moves at most once.</summary>
    public int Migrations { get; set; }

    /// <summary>Work kept by checkpoints of earlier segments; a requeued job resumes from here.</summary>
    public TimeSpan SavedProgress { get; set; }

    /// <summary>The placement engine's latest explanation for this job, as JSON.</summary>
    public string? LatestExplanation { get; set; }

    /// <summary>PostgreSQL <c>xmin</c>: concurrent writers of one job fail instead of overwriting each other.</summary>
    public uint Version { get; set; }

    public void MoveTo(JobState next, JobEventKind kind, string message, DateTimeOffset at)
    {
        JobStateMachine.EnsureCanMove(State, next);
        State = next;
        UpdatedAt = at;
        Events.Add(new JobEvent { JobId = Id, At = at, Kind = kind, Message = message });
    }
}
