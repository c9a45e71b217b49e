namespace Broker.Core.Policies;

/// <summary>The current (or an earlier) policy of a scope. Version 0 is the one no one wrote: configuration for global, empty for a team.</summary>
public sealed record PolicyState(string Scope, int Version, PolicyDocument Document, DateTimeOffset? CreatedAt, Guid? CreatedByKey,
    int? RestoredFrom)
{
    public static PolicyState From(PolicyVersion row) =>
        new(row.Scope, row.Version, PolicyJson.Read(row.Document), row.CreatedAt, row.CreatedByKey, row.RestoredFrom);
}

/// <summary>What the placement engine takes from the policies: one policy per team with an override, the global one, the fleet cap.</summary>
public sealed record EnginePolicies(IReadOnlyList<BurstPolicy> Teams, BurstPolicy Global, int? MaxCloudGpusGlobal);
