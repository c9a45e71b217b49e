namespace Broker.Core.Provisioning;

/// <summary>What an instance (its boot script, or the simulated cloud) reports about the job it runs.</summary>
public enum InstanceEventKind
{
    Started,
    Finished,
    InterruptionNotice,
}
