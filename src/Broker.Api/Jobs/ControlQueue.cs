namespace Broker.Api.Jobs;

/// <summary>
/// The Hangfire queue of the lifecycle's control jobs (placement passes, reconcile rounds): served first by every worker
/// and by workers of its own, so they never wait behind provisioning or the other background work.
/// </summary>
public static class ControlQueue
{
    public const string Name = "control";
}
