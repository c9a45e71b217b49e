using System.Security.Cryptography;
using System.Text;

namespace Broker.Core.Secrets;

/// <summary>
/// AES-256-GCM for secret values at rest. A sealed value is <c>nonce (12) ‖ ciphertext ‖ tag (16)</c>; the associated data
/// is the secret's name and version, so a ciphertext copied onto another row, or an older version put back, fails to open.
/// The key id (the first 16 hex characters of SHA-256 of the key) is stored beside each value, so a Broker started with
/// another key says so instead of failing on every job.
/// </summary>
public sealed class SecretCipher
{
    public const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] key;

    public SecretCipher(byte[] key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"The secrets key is {KeyBytes} bytes.", nameof(key));
        }
        this.key = key;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key))[..16];
    }

    public string KeyId { get; }

    /// <summary>Reads <c>Secrets:Key</c>: the base64 of 32 random bytes (<c>head -c 32 /dev/urandom | base64</c>).</summary>
    public static SecretCipher FromConfiguredKey(string base64)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("Secrets:Key is not base64: set it to the base64 of 32 random bytes.");
        }
        return bytes.Length == KeyBytes
            ? new SecretCipher(bytes)
            : throw new InvalidOperationException($"Secrets:Key holds {bytes.Length} bytes; it must be the base64 of exactly {KeyBytes}.");
    }

    public byte[] Seal(string name, int version, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedValue = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedValue.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plain, sealedValue.AsSpan(NonceBytes, plain.Length), sealedValue.AsSpan(NonceBytes + plain.Length), Associated(name, version));
        CryptographicOperations.ZeroMemory(plain);
        return sealedValue;
    }

    /// <exception cref="CryptographicException">The value was sealed with another key, or for another name or version.</exception>
    public string Open(string name, int version, byte[] sealedValue)
    {
        if (sealedValue.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("The sealed value is too short.");
        }
        var length = sealedValue.Length - NonceBytes - TagBytes;
        var plain = new byte[length];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(sealedValue.AsSpan(0, NonceBytes), sealedValue.AsSpan(NonceBytes, length), sealedValue.AsSpan(NonceBytes + length),
            plain, Associated(name, version));
        var value = Encoding.UTF8.GetString(plain);
        CryptographicOperations.ZeroMemory(plain);
        return value;
    }

    private static byte[] Associated(string name, int version) =>
        Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"broker-secret|{name}|{version}"));
}
