namespace Broker.Core.Auth;

public enum ApiKeyRole
{
    /// <summary>Submits and follows the jobs of one team.</summary>
    Submitter,
    /// <summary>Reads cost data (and jobs) of all teams.</summary>
    Finance,
    /// <summary>Policies, inventory, instances and all jobs.</summary>
    Ops,
    /// <summary>Manages API keys.</summary>
    Admin,
}
