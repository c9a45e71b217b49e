using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Broker.Core.Jobs;

namespace Broker.Core.Provisioning;

/// <summary>
/// Callback tokens: <c>v2.&lt;unix expiry&gt;.&lt;hex HMAC-SHA256(secret, "v2|allocation|kind|purpose|expiry")&gt;</c>. A token
/// says one thing (one event kind of one allocation, from a cloud instance or from an on-prem job script) until it expires.
/// The expiry is derived from the allocation and job rows only, so a retried cloud create renders the identical boot
/// script; nothing secret is stored, and any replica checks a token without the database.
/// </summary>
public sealed class CallbackTokens(byte[] secret)
{
    /// <summary>Beyond the lease: time for the last callback's retries, and for clocks that disagree a little.</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromHours(1);

    private const string Version = "v2";

    public static CallbackTokens FromConfiguredSecret(string secret) =>
        secret.Length >= 32 ? new(Encoding.UTF8.GetBytes(secret)) : throw new InvalidOperationException("Callbacks:Secret must be at least 32 characters.");

    /// <summary>
    /// When an allocation's tokens expire: its creation, plus the launch timeout (the latest a segment may start), plus the
    /// lease (estimate x the segment's captured lease factor plus the grace, <see cref="LifecycleOptions.LeaseOf"/>, measured by the
    /// reconciler from the start), plus a margin. The whole estimate, not what is left of it, because the lease the
    /// reconciler enforces uses the whole one.
    /// </summary>
    public static DateTimeOffset ExpiresAt(Allocation allocation, Job job, LifecycleOptions options)
    {
        var seconds = options.LaunchTimeout.TotalSeconds + options.LeaseOf(allocation, job.EstimatedDuration).TotalSeconds
            + ExpiryMargin.TotalSeconds;
        var latest = (DateTimeOffset.MaxValue - allocation.CreatedAt).TotalSeconds - 1;
        return allocation.CreatedAt.AddSeconds(Math.Clamp(seconds, 0, latest));
    }

    /// <summary>The three tokens a cloud instance's boot script carries.</summary>
    public CallbackTokenSet ForCloudInstance(Allocation allocation, Job job, LifecycleOptions options) =>
        SetFor(allocation.Id, CallbackPurpose.CloudInstance, ExpiresAt(allocation, job, options));

    /// <summary>The three tokens an on-prem Slurm job's own batch script may carry; a cloud instance's tokens are refused on-prem.</summary>
    public CallbackTokenSet ForOnPremScript(Allocation allocation, Job job, LifecycleOptions options) =>
        SetFor(allocation.Id, CallbackPurpose.OnPremScript, ExpiresAt(allocation, job, options));

    public string Issue(Guid allocationId, InstanceEventKind kind, CallbackPurpose purpose, DateTimeOffset expiresAt)
    {
        var expiry = expiresAt.ToUnixTimeSeconds();
        return $"{Version}.{expiry.ToString(CultureInfo.InvariantCulture)}.{Convert.ToHexStringLower(Mac(allocationId, kind, purpose, expiry))}";
    }

    /// <summary>
    /// Which event kind and purpose of this allocation the token was issued for, and whether it is still valid. Tries each
    /// of the six (kind, purpose) pairs with a constant-time compare; no database, so the rate limiter can call it.
    /// </summary>
    public CallbackTokenCheck Check(Guid allocationId, string? token, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(CallbackTokenVerdict.Missing);
        }
        if (!TryParse(token, out var expiry, out var given))
        {
            return new(CallbackTokenVerdict.Malformed);
        }
        foreach (var purpose in (ReadOnlySpan<CallbackPurpose>)[CallbackPurpose.CloudInstance, CallbackPurpose.OnPremScript])
        {
            foreach (var kind in InstanceEventKinds.All)
            {
                if (CryptographicOperations.FixedTimeEquals(Mac(allocationId, kind, purpose, expiry), given))
                {
                    var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expiry);
                    return new(now < expiresAt ? CallbackTokenVerdict.Valid : CallbackTokenVerdict.Expired, kind, purpose, expiresAt);
                }
            }
        }
        return new(CallbackTokenVerdict.NotForThisAllocation);
    }

    private CallbackTokenSet SetFor(Guid allocationId, CallbackPurpose purpose, DateTimeOffset expiresAt) => new(
        Issue(allocationId, InstanceEventKind.Started, purpose, expiresAt),
        Issue(allocationId, InstanceEventKind.InterruptionNotice, purpose, expiresAt),
        Issue(allocationId, InstanceEventKind.Finished, purpose, expiresAt));

    private byte[] Mac(Guid allocationId, InstanceEventKind kind, CallbackPurpose purpose, long expiry) =>
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{Version}|{allocationId:D}|{InstanceEventKinds.ToWire(kind)}|{InstanceEventKinds.ToWire(purpose)}|{expiry}")));

    private static bool TryParse(string token, out long expiry, out byte[] mac)
    {
        expiry = 0;
        mac = [];
        var parts = token.Split('.');
        if (parts is not [Version, var seconds, var hex] || seconds.Length is 0 or > 12 || !seconds.All(char.IsAsciiDigit)
            || hex.Length != 64 || !hex.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }
        expiry = long.Parse(seconds, NumberStyles.None, CultureInfo.InvariantCulture);
        mac = Convert.FromHexString(hex);
        return expiry <= DateTimeOffset.MaxValue.ToUnixTimeSeconds();
    }
}
