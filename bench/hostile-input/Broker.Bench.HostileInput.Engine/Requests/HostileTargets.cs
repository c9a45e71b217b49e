namespace Broker.HostileInput.Requests;

/// <summary>
/// What the hostile requests aim at: a key per role, another team's key, a revoked key, a job of each team, a live
/// allocation with its callback token, keys that may be revoked, and a real list cursor.
/// </summary>
public sealed record HostileTargets(
    string AdminKey,
    string SubmitterKey,
    string OtherTeamKey,
    string FinanceKey,
    string OpsKey,
    string RevokedKey,
    Guid OwnJob,
    Guid OtherTeamJob,
    Guid Allocation,
    Func<string, string> CallbackToken,
    IReadOnlyList<Guid> VictimKeys,
    string Cursor)
{
    public const string Team = "hostile-alpha";
    public const string OtherTeam = "hostile-beta";

    public string KeyOf(string role) => role switch
    {
        Roles.Submitter => SubmitterKey,
        Roles.OtherTeam => OtherTeamKey,
        Roles.Finance => FinanceKey,
        Roles.Ops => OpsKey,
        Roles.Admin => AdminKey,
        _ => throw new ArgumentException($"Unknown role '{role}'.", nameof(role)),
    };
}

public static class Roles
{
    public const string Submitter = "submitter";
    /// <summary>A submitter of another team than the one whose job is targeted.</summary>
    public const string OtherTeam = "other-team";
    public const string Finance = "finance";
    public const string Ops = "ops";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> Keyed = [Submitter, Finance, Ops, Admin];
}
