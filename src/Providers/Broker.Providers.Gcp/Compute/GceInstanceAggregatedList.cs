namespace Broker.Providers.Gcp.Compute;

/// <summary>instances.aggregatedList: items keyed by scope (<c>zones/us-central1-a</c>); empty scopes carry only a warning.</summary>
public sealed record GceInstanceAggregatedList(IReadOnlyDictionary<string, GceInstancesScopedList>? Items, string? NextPageToken);

public sealed record GceInstancesScopedList(IReadOnlyList<GceInstance>? Instances);
