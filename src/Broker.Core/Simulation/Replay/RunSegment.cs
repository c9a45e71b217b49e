namespace Broker.Core.Simulation;

/// <summary>
/// One run of one job on one node or instance, from placement to its end. Cloud segments start billing at placement;
/// useful work starts after the boot time. <paramref name="WorkS"/> is the work done, <paramref name="SavedS"/> the part
/// of it the job keeps (all of it when completed, the last checkpoint when preempted).
/// </summary>
/// <param name="Location">onprem or cloud.</param>
/// <param name="Market">onprem, spot or ondemand.</param>
/// <param name="Outcome">completed, preempted or cancelled (still running when the replay ended).</param>
public sealed record RunSegment(
    string JobId,
    string Team,
    int Gpus,
    long SubmitS,
    long StartS,
    long EndS,
    string Location,
    string Node,
    string Provider,
    string Region,
    string Zone,
    string InstanceType,
    string Market,
    string GpuModel,
    decimal PricePerHour,
    string Outcome,
    long WorkS,
    long SavedS,
    decimal Cost,
    string? SpotTrace);

public static class Outcomes
{
    public const string Completed = "completed";
    public const string Preempted = "preempted";
    public const string Cancelled = "cancelled";
}

public static class Markets
{
    public const string OnPrem = "onprem";
    public const string Spot = "spot";
    public const string OnDemand = "ondemand";
}
