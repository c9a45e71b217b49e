using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using static Broker.Providers.Tests.Aws.Fake.Ec2Xml;

namespace Broker.Providers.Tests.Aws.Fake;

/// <summary>The fake's world: instances per region, ClientToken memory and spot price history. Thread-safe.</summary>
public sealed partial class FakeEc2Cloud(TimeProvider clock)
{
    private readonly Lock gate = new();
    private readonly List<FakeEc2Instance> instances = [];
    private readonly Dictionary<(string Region, string Token), (FakeEc2Instance Instance, string Fingerprint)> tokens = [];
    private readonly List<FakeSpotPrice> spotPrices = [];
    private readonly Dictionary<(string Region, string Name), FakePlacementGroup> placementGroups = [];
    private long nextId = 0x1000;

    /// <summary>
    /// When set, TerminateInstances leaves instances shutting-down (as EC2 does for a while) until <see cref="FinishShutdowns"/>;
    /// otherwise they are terminated at once.
    /// </summary>
    public bool ShutdownLingers { get; set; }

    /// <summary>Largest page the fake returns whatever MaxResults says, so tests can force paging.</summary>
    public int MaxPageSize { get; set; } = 1000;

    public IReadOnlyList<FakeEc2Instance> Instances
    {
        get
        {
            lock (gate)
            {
                return [.. instances];
            }
        }
    }

    /// <summary>Placement groups by region and name, with their strategy (CreatePlacementGroup).</summary>
    public IReadOnlyDictionary<(string Region, string Name), string> PlacementGroups
    {
        get
        {
            lock (gate)
            {
                return placementGroups.ToDictionary(p => p.Key, p => p.Value.Strategy);
            }
        }
    }

    /// <summary>Placement groups by region and name with the tags they were created with.</summary>
    public IReadOnlyDictionary<(string Region, string Name), IReadOnlyDictionary<string, string>> PlacementGroupTags
    {
        get
        {
            lock (gate)
            {
                return placementGroups.ToDictionary(p => p.Key, p => p.Value.Tags);
            }
        }
    }

    /// <summary>Adds a placement group as if someone other than Broker (or an earlier run) had created it.</summary>
    public void AddPlacementGroup(string region, string name, IReadOnlyDictionary<string, string>? tags = null)
    {
        lock (gate)
        {
            placementGroups[(region, name)] = new FakePlacementGroup($"pg-{nextId++:x17}", "cluster", tags ?? new Dictionary<string, string>());
        }
    }

    /// <summary>Every shutting-down instance reaches terminated.</summary>
    public void FinishShutdowns()
    {
        lock (gate)
        {
            foreach (var instance in instances.Where(i => i.State == "shutting-down"))
            {
                instance.State = "terminated";
            }
        }
    }

    /// <summary>Adds an instance as if something other than Broker had launched it.</summary>
    public FakeEc2Instance AddInstance(string region, string instanceType, IReadOnlyDictionary<string, string>? tags = null,
        string state = "running")
    {
        lock (gate)
        {
            var instance = NewInstance(region, region + "a", instanceType, "ami-00000000", null, null, null, tags ?? new Dictionary<string, string>(),
                new Dictionary<string, string>());
            instance.State = state;
            return instance;
        }
    }

    public void AddSpotPrice(FakeSpotPrice price)
    {
        lock (gate)
        {
            spotPrices.Add(price);
        }
    }

    internal XElement Handle(string action, string region, Ec2Query query, string requestId)
    {
        lock (gate)
        {
            return action switch
            {
                "RunInstances" => RunInstances(region, query, requestId),
                "TerminateInstances" => TerminateInstances(region, query, requestId),
                "DescribeInstances" => DescribeInstances(region, query, requestId),
                "DescribeSpotPriceHistory" => DescribeSpotPriceHistory(region, query, requestId),
                "CreatePlacementGroup" => CreatePlacementGroup(region, query, requestId),
                "DescribePlacementGroups" => DescribePlacementGroups(region, query, requestId),
                "DeletePlacementGroup" => DeletePlacementGroup(region, query, requestId),
                _ => throw new Ec2Error("InvalidAction", $"The action {action} is not valid for this web service."),
            };
        }
    }

    private XElement RunInstances(string region, Ec2Query q, string requestId)
    {
        var token = q.Get("ClientToken");
        var fingerprint = q.Fingerprint();
        if (token is not null && tokens.TryGetValue((region, token), out var earlier))
        {
            if (earlier.Fingerprint != fingerprint)
            {
                throw new Ec2Error("IdempotentParameterMismatch", "The client token was already used with different parameters.");
            }
            return RunResponse(earlier.Instance, requestId);
        }
        var imageId = q.Required("ImageId");
        var instanceType = q.Required("InstanceType");
        if (q.Int("MinCount") != 1 || q.Int("MaxCount") != 1)
        {
            throw new Ec2Error("InvalidParameterValue", "This fake launches exactly one instance per call.");
        }
        var zone = q.Get("Placement.AvailabilityZone") ?? region + "a";
        if (!zone.StartsWith(region, StringComparison.Ordinal) || zone.Length != region.Length + 1)
        {
            throw new Ec2Error("InvalidParameterValue", $"Invalid availability zone: [{zone}]");
        }
        if (q.Get("Placement.GroupName") is { } group && !placementGroups.ContainsKey((region, group)))
        {
            throw new Ec2Error("InvalidPlacementGroup.Unknown", $"The Placement Group '{group}' is unknown.");
        }
        var spot = q.Get("InstanceMarketOptions.MarketType") == "spot";
        if (spot && q.Get("InstanceMarketOptions.SpotOptions.MaxPrice") is { } maxPrice
            && CurrentSpotPrice(zone, instanceType) is { } current
            && decimal.Parse(maxPrice, CultureInfo.InvariantCulture) < current)
        {
            throw new Ec2Error("SpotMaxPriceTooLow", $"Your Spot request price of {maxPrice} is lower than the minimum required Spot request fulfillment price of {current}.");
        }
        var specs = q.Indexes("TagSpecification").ToDictionary(i => q.Required($"TagSpecification.{i}.ResourceType"),
            i => q.Tags($"TagSpecification.{i}.Tag"), StringComparer.Ordinal);
        var instance = NewInstance(region, zone, instanceType, imageId, spot ? "spot" : null, token, q.Get("UserData"),
            specs.GetValueOrDefault("instance") ?? [], specs.GetValueOrDefault("volume") ?? []);
        instance.PlacementGroup = q.Get("Placement.GroupName");
        if (token is not null)
        {
            tokens[(region, token)] = (instance, fingerprint);
        }
        var response = RunResponse(instance, requestId);
        instance.State = "running";
        return response;
    }

    private XElement CreatePlacementGroup(string region, Ec2Query q, string requestId)
    {
        var name = q.Required("GroupName");
        var strategy = q.Required("Strategy");
        if (strategy is not ("cluster" or "spread" or "partition"))
        {
            throw new Ec2Error("InvalidParameterValue", $"Invalid placement group strategy: {strategy}");
        }
        var tags = q.Indexes("TagSpecification").Where(i => q.Get($"TagSpecification.{i}.ResourceType") == "placement-group")
            .Select(i => q.Tags($"TagSpecification.{i}.Tag")).FirstOrDefault() ?? [];
        if (!placementGroups.TryAdd((region, name), new FakePlacementGroup($"pg-{nextId++:x17}", strategy, tags)))
        {
            throw new Ec2Error("InvalidPlacementGroup.Duplicate", $"The placement group '{name}' already exists.");
        }
        return Response("CreatePlacementGroup", requestId, E("return", "true"));
    }

    /// <summary>Not paged (EC2 answers every match at once); GroupName.N, and Filter.N of group-name, state, strategy and tag:KEY.</summary>
    private XElement DescribePlacementGroups(string region, Ec2Query q, string requestId)
    {
        var names = q.List("GroupName");
        if (names.FirstOrDefault(n => !placementGroups.ContainsKey((region, n))) is { } unknown)
        {
            throw new Ec2Error("InvalidPlacementGroup.Unknown", $"The Placement Group '{unknown}' is unknown.");
        }
        IEnumerable<KeyValuePair<(string Region, string Name), FakePlacementGroup>> matching =
            placementGroups.Where(p => p.Key.Region == region && (names.Count == 0 || names.Contains(p.Key.Name)));
        foreach (var n in q.Indexes("Filter"))
        {
            var filter = q.Required($"Filter.{n}.Name");
            var values = q.List($"Filter.{n}.Value");
            Func<string, FakePlacementGroup, string?> select = filter switch
            {
                "group-name" => (name, _) => name,
                "state" => (_, _) => "available",
                "strategy" => (_, g) => g.Strategy,
                _ when filter.StartsWith("tag:", StringComparison.Ordinal) => (_, g) => g.Tags.GetValueOrDefault(filter[4..]),
                _ => throw new Ec2Error("InvalidParameterValue", $"The filter '{filter}' is invalid"),
            };
            matching = matching.Where(p => select(p.Key.Name, p.Value) is { } actual && values.Contains(actual)).ToList();
        }
        return Response("DescribePlacementGroups", requestId, Set("placementGroupSet", matching.OrderBy(p => p.Key.Name, StringComparer.Ordinal)
            .Select(p => Item(E("groupName", p.Key.Name), E("state", "available"), E("strategy", p.Value.Strategy), E("groupId", p.Value.GroupId),
                E("groupArn", $"arn:aws:ec2:{region}:123456789012:placement-group/{p.Key.Name}"),
                Set("tagSet", p.Value.Tags.Select(t => Item(E("key", t.Key), E("value", t.Value))))))));
    }

    /// <summary>Refused while any instance launched into the group is not terminated (shutting-down counts), as EC2 does.</summary>
    private XElement DeletePlacementGroup(string region, Ec2Query q, string requestId)
    {
        var name = q.Required("GroupName");
        if (!placementGroups.ContainsKey((region, name)))
        {
            throw new Ec2Error("InvalidPlacementGroup.Unknown", $"The Placement Group '{name}' is unknown.");
        }
        if (instances.Any(i => i.Region == region && i.PlacementGroup == name && i.State != "terminated"))
        {
            throw new Ec2Error("InvalidPlacementGroup.InUse", $"There are instances in placement group {name}");
        }
        placementGroups.Remove((region, name));
        return Response("DeletePlacementGroup", requestId, E("return", "true"));
    }

    private static XElement RunResponse(FakeEc2Instance i, string requestId) => Response("RunInstances", requestId,
        E("reservationId", i.ReservationId), E("ownerId", "123456789012"), E("groupSet"), Set("instancesSet", [Instance(i)]));

    private XElement TerminateInstances(string region, Ec2Query q, string requestId)
    {
        var ids = q.List("InstanceId");
        if (ids.FirstOrDefault(id => !InstanceIdPattern().IsMatch(id)) is { } malformed)
        {
            throw new Ec2Error("InvalidInstanceID.Malformed", $"Invalid id: \"{malformed}\"");
        }
        var found = ids.Select(id => instances.FirstOrDefault(i => i.InstanceId == id && i.Region == region)).ToList();
        if (ids.Where((_, n) => found[n] is null).ToList() is { Count: > 0 } missing)
        {
            throw new Ec2Error("InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", missing)}' do not exist");
        }
        var items = found.OfType<FakeEc2Instance>().Select(i =>
        {
            var previous = State("previousState", i.State, i.StateCode);
            i.State = ShutdownLingers && i.State != "terminated" ? "shutting-down" : "terminated";
            return Item(E("instanceId", i.InstanceId), State("currentState", "shutting-down", 32), previous);
        }).ToList();
        return Response("TerminateInstances", requestId, Set("instancesSet", items));
    }

    private FakeEc2Instance NewInstance(string region, string zone, string instanceType, string imageId, string? lifecycle,
        string? token, string? userData, IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string> volumeTags)
    {
        var id = nextId++;
        var instance = new FakeEc2Instance
        {
            InstanceId = $"i-{id:x17}",
            ReservationId = $"r-{id:x17}",
            Region = region,
            Zone = zone,
            InstanceType = instanceType,
            ImageId = imageId,
            LaunchTime = clock.GetUtcNow(),
            Lifecycle = lifecycle,
            ClientToken = token,
            UserData = userData,
            Tags = tags,
            VolumeTags = volumeTags,
        };
        instances.Add(instance);
        return instance;
    }

    private sealed record FakePlacementGroup(string GroupId, string Strategy, IReadOnlyDictionary<string, string> Tags);

    [GeneratedRegex("^i-[0-9a-f]{8,17}$")]
    private static partial Regex InstanceIdPattern();
}
