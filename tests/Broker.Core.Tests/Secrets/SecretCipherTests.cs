using System.Security.Cryptography;
using System.Text;
using Broker.Core.Secrets;

namespace Broker.Core.Tests.Secrets;

public sealed class SecretCipherTests
{
    private static SecretCipher NewCipher() => new(RandomNumberGenerator.GetBytes(SecretCipher.KeyBytes));

    [Fact]
    public void A_sealed_value_opens_to_the_same_text_and_does_not_hold_it()
    {
        var cipher = NewCipher();
        const string value = "hunter2-hunter2-hunter2 ✓";

        var sealedValue = cipher.Seal("db-password", 1, value);

        Assert.Equal(value, cipher.Open("db-password", 1, sealedValue));
        Assert.Equal(-1, sealedValue.AsSpan().IndexOf(Encoding.UTF8.GetBytes("hunter2")));
        Assert.NotEqual(sealedValue, cipher.Seal("db-password", 1, value));
    }

    [Fact]
    public void A_value_does_not_open_under_another_name_version_or_key_or_when_tampered_with()
    {
        var cipher = NewCipher();
        var sealedValue = cipher.Seal("db-password", 2, "value");
        var tampered = (byte[])sealedValue.Clone();
        tampered[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => cipher.Open("other", 2, sealedValue));
        Assert.ThrowsAny<CryptographicException>(() => cipher.Open("db-password", 1, sealedValue));
        Assert.ThrowsAny<CryptographicException>(() => NewCipher().Open("db-password", 2, sealedValue));
        Assert.ThrowsAny<CryptographicException>(() => cipher.Open("db-password", 2, tampered));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void A_key_that_is_not_the_base64_of_32_bytes_is_refused(string configured) =>
        Assert.Throws<InvalidOperationException>(() => SecretCipher.FromConfiguredKey(configured));
}
