using System.Security.Cryptography;
using System.Text;

namespace Broker.Core.Auth;

/// <summary>
/// Key material: <c>brk_</c> and 32 random bytes in base64url. Keys carry 256 bits of entropy, so a plain SHA-256 is
/// enough to store them (a slow password hash protects guessable secrets, which these are not).
/// </summary>
public static class ApiKeySecret
{
    public const string Marker = "brk_";
    public const int PrefixLength = 12;

    public static string New() => Marker + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string PrefixOf(string key) => key.Length <= PrefixLength ? key : key[..PrefixLength];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
