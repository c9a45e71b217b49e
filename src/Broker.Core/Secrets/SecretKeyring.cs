namespace Broker.Core.Secrets;

/// <summary>The configured secrets key, if any (<c>Secrets:Key</c>). Without one, no secret can be registered or used.</summary>
public sealed class SecretKeyring(SecretCipher? cipher)
{
    public const string NotConfigured = "Secrets are not enabled on this Broker: set Secrets:Key to the base64 of 32 random bytes.";

    public bool IsConfigured => cipher is not null;

    public SecretCipher Cipher => cipher ?? throw new InvalidOperationException(NotConfigured);
}
