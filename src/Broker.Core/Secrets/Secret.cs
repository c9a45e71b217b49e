namespace Broker.Core.Secrets;

/// <summary>
/// A value ops registered for jobs to use by name (<c>secretEnv</c>). The value is only ever stored sealed
/// (<see cref="SecretCipher"/>); nothing but the job's own script, with its allocation's callback token, gets it back.
/// </summary>
public sealed class Secret
{
    public string Name { get; set; } = "";

    /// <summary><c>nonce ‖ ciphertext ‖ tag</c>, AES-256-GCM, associated data the name and <see cref="Version"/>.</summary>
    public byte[] SealedValue { get; set; } = [];

    /// <summary>Which key sealed the value (<see cref="SecretCipher.KeyId"/>).</summary>
    public string KeyId { get; set; } = "";

    /// <summary>1 when created, one more at each rotation.</summary>
    public int Version { get; set; }

    /// <summary>The teams that may reference it; null means every team.</summary>
    public List<string>? Teams { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL <c>xmin</c>: two rotations at once cannot both win.</summary>
    public uint RowVersion { get; set; }

    public bool AllowsTeam(string team) => Teams is null || Teams.Contains(team, StringComparer.Ordinal);
}
