using Broker.Core.Fleet;

namespace Broker.Api.Contracts;

/// <summary>A cloud instance Broker manages (one cloud allocation), as <c>GET /v1/instances</c> lists it.</summary>
/// <param name="AgeSeconds">From its creation to now, or to its end once it ended.</param>
/// <param name="CostSoFar">USD: the ledger's entries once it is priced, else what it has accrued since it started.</param>
public sealed record InstanceResponse(Guid Id, string Provider, string? Region, string? Zone, string? InstanceType, string Market, string State,
    string? End, string? EndReason, Guid JobId, string Team, string GpuModel, int Gpus, decimal PricePerHour, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, long AgeSeconds, decimal CostSoFar, string? ExternalId, double? LeaseFactor);

public sealed record InstanceListResponse(IReadOnlyList<InstanceResponse> Items, string? NextCursor);

/// <summary>The answer to a terminate request: the instance's state now (releasing until it is gone, then closed).</summary>
public sealed record TerminateResponse(Guid Id, string State, string? End);

/// <summary>An intent row of <c>GET /v1/allocations</c> with its last error.</summary>
public sealed record AllocationResponse(Guid Id, Guid JobId, string Team, string Provider, string Market, string? Region, string? Zone,
    string? InstanceType, string? Node, string GpuModel, int Gpus, string State, string? End, string? EndReason, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, double? LeaseFactor);

public sealed record AllocationListResponse(IReadOnlyList<AllocationResponse> Items, string? NextCursor);

public static class FleetMapping
{
    public static InstanceResponse ToInstance(this FleetRow row, decimal costSoFar, DateTimeOffset now)
    {
        var a = row.Allocation;
        var until = a.State == Core.Provisioning.AllocationState.Closed ? a.EndedAt ?? now : now;
        return new(a.Id, a.Provider, a.Region, a.Zone, a.InstanceType, JsonNaming.Wire(a.Market), JsonNaming.Wire(a.State),
            a.End is { } end ? JsonNaming.Wire(end) : null, a.EndReason, a.JobId, row.Team, a.GpuModel, a.Gpus, Money.Trim(a.PricePerHour),
            a.CreatedAt, a.StartedAt, a.EndedAt, Math.Max(0, (long)(until - a.CreatedAt).TotalSeconds), Money.Trim(costSoFar), a.ExternalId,
            a.LeaseFactor);
    }

    public static AllocationResponse ToAllocation(this FleetRow row)
    {
        var a = row.Allocation;
        return new(a.Id, a.JobId, row.Team, a.Provider, JsonNaming.Wire(a.Market), a.Region, a.Zone, a.InstanceType, a.Node, a.GpuModel,
            a.Gpus, JsonNaming.Wire(a.State), a.End is { } end ? JsonNaming.Wire(end) : null, a.EndReason, row.LastError, a.CreatedAt,
            a.StartedAt, a.EndedAt, a.LeaseFactor);
    }
}
