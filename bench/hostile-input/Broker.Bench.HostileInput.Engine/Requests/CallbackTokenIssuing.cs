using Broker.Core.Provisioning;

namespace Broker.HostileInput.Requests;

/// <summary>Valid callback tokens for the seeded allocation, so hostile callback bodies get past the token check.</summary>
public static class CallbackTokenIssuing
{
    /// <summary>A cloud-instance token for the body's kind, valid for a day; a started token when the kind is not one Broker knows.</summary>
    public static string ValidFor(this CallbackTokens tokens, Guid allocationId, string kind) =>
        tokens.Issue(allocationId, InstanceEventKinds.FromWire(kind) ?? InstanceEventKind.Started, CallbackPurpose.CloudInstance,
            DateTimeOffset.UtcNow.AddDays(1));
}
