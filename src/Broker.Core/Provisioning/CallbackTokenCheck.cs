namespace Broker.Core.Provisioning;

/// <summary>Who a callback token was issued to: a cloud instance's boot script, or an on-prem Slurm job's own batch script.</summary>
public enum CallbackPurpose
{
    CloudInstance,
    OnPremScript,
}

public enum CallbackTokenVerdict
{
    Valid,
    Missing,
    /// <summary>Not of the form <c>v2.&lt;expiry&gt;.&lt;hmac&gt;</c> (the v1 form included).</summary>
    Malformed,
    /// <summary>No event kind or purpose of this allocation has this HMAC: another allocation's token, or a forgery.</summary>
    NotForThisAllocation,
    /// <summary>Genuine, but past the expiry it carries.</summary>
    Expired,
}

/// <summary>What a presented token is, checked without the database: for a valid or expired token, the kind and purpose it names.</summary>
public sealed record CallbackTokenCheck(CallbackTokenVerdict Verdict, InstanceEventKind? Kind = null, CallbackPurpose? Purpose = null,
    DateTimeOffset? ExpiresAt = null)
{
    public bool IsValid => Verdict == CallbackTokenVerdict.Valid;

    /// <summary>Why a token is refused, in words that reveal nothing secret (the expiry is in the token already).</summary>
    public string Reason => Verdict switch
    {
        CallbackTokenVerdict.Valid => "The token is valid.",
        CallbackTokenVerdict.Missing => "Send the instance's callback token as 'Authorization: Bearer <token>'.",
        CallbackTokenVerdict.Malformed => "The token is not of the form v2.<expiry>.<hmac>; older token forms are no longer accepted.",
        CallbackTokenVerdict.NotForThisAllocation => "The token was not issued for this allocation.",
        CallbackTokenVerdict.Expired => $"The token expired at {ExpiresAt:u}.",
        _ => "The token is not valid.",
    };
}

/// <summary>One token per event kind, all for one allocation and purpose, with the same expiry.</summary>
public sealed record CallbackTokenSet(string Started, string InterruptionNotice, string Finished)
{
    public string For(InstanceEventKind kind) => kind switch
    {
        InstanceEventKind.Started => Started,
        InstanceEventKind.InterruptionNotice => InterruptionNotice,
        _ => Finished,
    };
}
