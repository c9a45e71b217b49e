namespace Broker.Core.Placement;

/// <summary>The chosen option in words and the best options that lost, each with why.</summary>
public sealed record Explanation(string Chosen, IReadOnlyList<RejectedOption> Rejected)
{
    public override string ToString() =>
        Rejected.Count == 0 ? Chosen : $"{Chosen}; rejected: {string.Join("; ", Rejected.Select(r => r.ToString()))}";
}

/// <summary>An option the engine did not take. <paramref name="ExpectedCost"/> is set for priced options.</summary>
public sealed record RejectedOption(string Option, RejectionReason Reason, string Detail, decimal? ExpectedCost = null)
{
    public override string ToString() => $"{Option} ({Reason.Code()}: {Detail})";
}

public enum RejectionReason
{
    /// <summary>Not enough idle GPUs of an acceptable model in one node or instance.</summary>
    Capacity,
    /// <summary>Costs more than the chosen option, or above a price cap.</summary>
    Price,
    /// <summary>The team policy or the strategy forbids it (provider, region, spot, bursting).</summary>
    Policy,
    Budget,
    BlockedOffer,
    Deadline,
    /// <summary>Capacity went to another team below its fair share, or to a higher priority.</summary>
    Fairness,
    /// <summary>The job's own constraints (spot not tolerated, GPU memory) rule it out.</summary>
    Constraint,
    /// <summary>On-prem GPUs are expected within the policy's maximum wait, so bursting is not worth it.</summary>
    OnPremSoon,
    /// <summary>Spot where the job was interrupted or refused too often (or spot after too many preemptions): escalated away.</summary>
    Interruptions,
}

public enum WaitReason
{
    Capacity,
    OnPremSoon,
    Budget,
    Policy,
    Price,
    BlockedOffer,
    Deadline,
}

public static class ReasonCodes
{
    public static string Code(this RejectionReason reason) => reason switch
    {
        RejectionReason.Capacity => "capacity",
        RejectionReason.Price => "price",
        RejectionReason.Policy => "policy",
        RejectionReason.Budget => "budget",
        RejectionReason.BlockedOffer => "blocked",
        RejectionReason.Deadline => "deadline",
        RejectionReason.Fairness => "fairness",
        RejectionReason.Constraint => "constraint",
        RejectionReason.OnPremSoon => "onprem-soon",
        RejectionReason.Interruptions => "interruptions",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    public static string Code(this WaitReason reason) => reason switch
    {
        WaitReason.Capacity => "capacity",
        WaitReason.OnPremSoon => "onprem-soon",
        WaitReason.Budget => "budget",
        WaitReason.Policy => "policy",
        WaitReason.Price => "price",
        WaitReason.BlockedOffer => "blocked",
        WaitReason.Deadline => "deadline",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    /// <summary>The wait reason a cloud rejection turns into when no cloud option is left.</summary>
    public static WaitReason ToWaitReason(this RejectionReason reason) => reason switch
    {
        RejectionReason.Budget => WaitReason.Budget,
        RejectionReason.Policy or RejectionReason.Constraint or RejectionReason.Interruptions => WaitReason.Policy,
        RejectionReason.Price => WaitReason.Price,
        RejectionReason.BlockedOffer => WaitReason.BlockedOffer,
        RejectionReason.Deadline => WaitReason.Deadline,
        RejectionReason.OnPremSoon => WaitReason.OnPremSoon,
        _ => WaitReason.Capacity,
    };
}
