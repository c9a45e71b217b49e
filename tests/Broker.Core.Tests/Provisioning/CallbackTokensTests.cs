using Broker.Core.Jobs;
using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

public sealed class CallbackTokensTests
{
    private static readonly CallbackTokens Tokens = CallbackTokens.FromConfiguredSecret("callback-tokens-test-secret-0123456789abcdef");
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly LifecycleOptions Options = new() { LaunchTimeout = TimeSpan.FromMinutes(15), LeaseFactor = 3, LeaseGrace = TimeSpan.FromMinutes(10) };

    private static (Allocation, Job) Rows(Guid? allocationId = null)
    {
        var job = new Job { Id = Guid.NewGuid(), EstimatedDuration = TimeSpan.FromMinutes(40), SavedProgress = TimeSpan.FromMinutes(10) };
        return (new Allocation { Id = allocationId ?? Guid.NewGuid(), JobId = job.Id, CreatedAt = Now.AddTicks(1234567) }, job);
    }

    [Fact]
    public void Expiry_is_creation_plus_launch_timeout_plus_the_lease_plus_the_margin()
    {
        var (allocation, job) = Rows();

        var expiresAt = CallbackTokens.ExpiresAt(allocation, job, Options);

        Assert.Equal(allocation.CreatedAt + TimeSpan.FromMinutes(15) + TimeSpan.FromMinutes(120 + 10) + CallbackTokens.ExpiryMargin, expiresAt);
    }

    [Fact]
    public void Expiry_follows_the_lease_factor_the_segment_was_placed_with_not_the_configured_one()
    {
        var (allocation, job) = Rows();
        allocation.LeaseFactor = 5;

        var expiresAt = CallbackTokens.ExpiresAt(allocation, job, Options);

        Assert.Equal(allocation.CreatedAt + TimeSpan.FromMinutes(15) + TimeSpan.FromMinutes(200 + 10) + CallbackTokens.ExpiryMargin, expiresAt);
        Assert.Equal(expiresAt, CallbackTokens.ExpiresAt(allocation, job, new LifecycleOptions { LaunchTimeout = Options.LaunchTimeout, LeaseFactor = 1, LeaseGrace = Options.LeaseGrace }));
    }

    [Fact]
    public void Tokens_derive_from_the_rows_only_so_a_retried_create_renders_the_same_ones()
    {
        var (allocation, job) = Rows();
        var (again, sameJob) = Rows(allocation.Id);
        sameJob.EstimatedDuration = job.EstimatedDuration;
        again.CreatedAt = allocation.CreatedAt;

        var first = Tokens.ForCloudInstance(allocation, job, Options);

        Assert.Equal(first, Tokens.ForCloudInstance(again, sameJob, Options));
        Assert.NotEqual(first, Tokens.ForOnPremScript(allocation, job, Options));
        Assert.Equal(3, new[] { first.Started, first.InterruptionNotice, first.Finished }.Distinct().Count());
        Assert.Matches("^v2\\.[0-9]+\\.[0-9a-f]{64}$", first.Finished);
    }

    [Theory]
    [InlineData(InstanceEventKind.Started, CallbackPurpose.CloudInstance)]
    [InlineData(InstanceEventKind.Finished, CallbackPurpose.CloudInstance)]
    [InlineData(InstanceEventKind.InterruptionNotice, CallbackPurpose.OnPremScript)]
    [InlineData(InstanceEventKind.Finished, CallbackPurpose.OnPremScript)]
    public void A_token_tells_its_kind_and_purpose_and_is_valid_until_its_expiry(InstanceEventKind kind, CallbackPurpose purpose)
    {
        var allocation = Guid.NewGuid();
        var token = Tokens.Issue(allocation, kind, purpose, Now.AddMinutes(5));

        var valid = Tokens.Check(allocation, token, Now);
        var expired = Tokens.Check(allocation, token, Now.AddMinutes(5));

        Assert.Equal((CallbackTokenVerdict.Valid, kind, purpose), (valid.Verdict, valid.Kind!.Value, valid.Purpose!.Value));
        Assert.Equal(CallbackTokenVerdict.Expired, expired.Verdict);
        Assert.Contains("expired at", expired.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, CallbackTokenVerdict.Missing)]
    [InlineData("", CallbackTokenVerdict.Missing)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", CallbackTokenVerdict.Malformed)]
    [InlineData("v1.1999999999.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", CallbackTokenVerdict.Malformed)]
    [InlineData("v2.1999999999.0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", CallbackTokenVerdict.Malformed)]
    [InlineData("v2.-5.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", CallbackTokenVerdict.Malformed)]
    [InlineData("v2.99999999999999.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", CallbackTokenVerdict.Malformed)]
    [InlineData("v2.1999999999.0123", CallbackTokenVerdict.Malformed)]
    [InlineData("v2.1999999999.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", CallbackTokenVerdict.NotForThisAllocation)]
    public void Anything_but_a_genuine_token_is_refused_with_what_is_wrong(string? token, CallbackTokenVerdict verdict)
    {
        Assert.Equal(verdict, Tokens.Check(Guid.NewGuid(), token, Now).Verdict);
    }

    [Fact]
    public void Another_allocations_token_or_another_secrets_is_not_for_this_allocation()
    {
        var allocation = Guid.NewGuid();
        var other = CallbackTokens.FromConfiguredSecret("a-different-secret-0123456789abcdefghijklmn");

        Assert.Equal(CallbackTokenVerdict.NotForThisAllocation,
            Tokens.Check(allocation, Tokens.Issue(Guid.NewGuid(), InstanceEventKind.Started, CallbackPurpose.CloudInstance, Now.AddHours(1)), Now).Verdict);
        Assert.Equal(CallbackTokenVerdict.NotForThisAllocation,
            Tokens.Check(allocation, other.Issue(allocation, InstanceEventKind.Started, CallbackPurpose.CloudInstance, Now.AddHours(1)), Now).Verdict);
    }

    [Fact]
    public void An_edited_expiry_breaks_the_hmac()
    {
        var allocation = Guid.NewGuid();
        var token = Tokens.Issue(allocation, InstanceEventKind.Finished, CallbackPurpose.CloudInstance, Now.AddMinutes(-1));
        var parts = token.Split('.');
        var extended = $"{parts[0]}.{long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 86400}.{parts[2]}";

        Assert.Equal(CallbackTokenVerdict.Expired, Tokens.Check(allocation, token, Now).Verdict);
        Assert.Equal(CallbackTokenVerdict.NotForThisAllocation, Tokens.Check(allocation, extended, Now).Verdict);
    }
}
