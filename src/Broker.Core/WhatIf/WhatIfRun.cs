namespace Broker.Core.WhatIf;

public enum WhatIfState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>
/// One policy what-if: the request, its progress and, once done, its result. Computed by a background job that may run
/// twice at once on two replicas: only the holder of <see cref="ClaimToken"/> writes progress or the result, and a claim
/// whose <see cref="HeartbeatAt"/> is older than the lease may be taken over (a crashed worker).
/// </summary>
public sealed class WhatIfRun
{
    public Guid Id { get; set; }

    /// <summary><c>global</c> or a team: the policy the proposal replaces.</summary>
    public string Scope { get; set; } = "";

    /// <summary>SHA-256 (hex) of the scope and the normalised request; unique among queued and running runs.</summary>
    public string RequestHash { get; set; } = "";

    /// <summary>The normalised request (<see cref="WhatIfRequest"/>) as JSON.</summary>
    public string Request { get; set; } = "{}";

    public WhatIfState State { get; set; }

    public int Percent { get; set; }

    /// <summary>The <see cref="WhatIfResult"/> as JSON once succeeded.</summary>
    public string? Result { get; set; }

    public string? Error { get; set; }

    public Guid? ActorKeyId { get; set; }

    public string ActorRole { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset? HeartbeatAt { get; set; }

    public Guid? ClaimToken { get; set; }

    /// <summary>Claims so far; a run that keeps stopping without finishing fails after <see cref="WhatIfSettings.MaxAttempts"/>.</summary>
    public int Attempts { get; set; }

    public uint Version { get; set; }

    public bool IsActive => State is WhatIfState.Queued or WhatIfState.Running;
}

/// <summary>One replayed job of a run: where it ends up under the current policies and under the proposal (and really, from history).</summary>
public sealed class WhatIfChange
{
    public Guid RunId { get; set; }

    /// <summary>Position in submit order (1, 2, ...): the paging key.</summary>
    public int Seq { get; set; }

    public string JobId { get; set; } = "";

    public string Team { get; set; } = "";

    /// <summary>The current and proposed placements differ in where (target, provider, market, region, instance type).</summary>
    public bool Changed { get; set; }

    public string Current { get; set; } = "{}";

    public string Proposed { get; set; } = "{}";

    /// <summary>Where the job was really placed (its first segment), for runs over Broker's own history; null for a stored trace.</summary>
    public string? Actual { get; set; }
}
