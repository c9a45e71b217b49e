using System.Security.Cryptography;
using System.Text;

namespace Broker.Core.Provisioning;

/// <summary>
/// Per-instance callback tokens: HMAC-SHA256 of the allocation id under a server secret from configuration. A retried create
/// renders the same token, nothing secret is stored in the database, and any replica can check a token.
/// </summary>
public sealed class CallbackTokens(byte[] secret)
{
    public static CallbackTokens FromConfiguredSecret(string secret) =>
        secret.Length >= 32 ? new(Encoding.UTF8.GetBytes(secret)) : throw new InvalidOperationException("Callbacks:Secret must be at least 32 characters.");

    public string For(Guid allocationId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secret, allocationId.ToByteArray()));

    public bool IsValid(Guid allocationId, string token)
    {
        var expected = Encoding.ASCII.GetBytes(For(allocationId));
        var given = Encoding.ASCII.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
