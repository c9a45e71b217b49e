using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Core.Fleet;

/// <summary>Where a page of allocations starts: after the row with this creation time and id (newest first).</summary>
public sealed record FleetCursor(DateTimeOffset CreatedAt, Guid Id);

/// <summary>
/// Filters of <c>GET /v1/instances</c> and <c>GET /v1/allocations</c>; an empty list means any value. <see cref="CloudOnly"/>
/// leaves out on-prem allocations (the instances view).
/// </summary>
public sealed record FleetFilter(
    IReadOnlyList<AllocationState> States,
    IReadOnlyList<string> Providers,
    IReadOnlyList<string> Regions,
    IReadOnlyList<CapacityType> Markets,
    IReadOnlyList<string> Teams,
    Guid? JobId,
    bool CloudOnly,
    FleetCursor? After,
    int Limit);

/// <summary>One allocation with its job's team and, if it ended in error, why.</summary>
public sealed record FleetRow(Allocation Allocation, string Team, string? LastError);

public sealed record FleetPage(IReadOnlyList<FleetRow> Items, FleetCursor? Next);
