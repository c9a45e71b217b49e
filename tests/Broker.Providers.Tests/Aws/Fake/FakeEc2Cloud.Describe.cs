using System.Globalization;
using System.Xml.Linq;
using static Broker.Providers.Tests.Aws.Fake.Ec2Xml;

namespace Broker.Providers.Tests.Aws.Fake;

/// <summary>The read side: DescribeInstances with filters and DescribeSpotPriceHistory, both paged by NextToken.</summary>
public sealed partial class FakeEc2Cloud
{
    private XElement DescribeInstances(string region, Ec2Query q, string requestId)
    {
        var ids = q.List("InstanceId");
        IEnumerable<FakeEc2Instance> matching = instances.Where(i => i.Region == region && (ids.Count == 0 || ids.Contains(i.InstanceId)));
        foreach (var n in q.Indexes("Filter"))
        {
            var name = q.Required($"Filter.{n}.Name");
            var values = q.List($"Filter.{n}.Value");
            var select = Selector(name);
            matching = matching.Where(i => select(i) is { } actual && values.Contains(actual)).ToList();
        }
        var (page, nextToken) = Page(matching.ToList(), q, 5);
        return Response("DescribeInstances", requestId, Set("reservationSet", page.Select(i => Reservation(i))),
            nextToken is null ? null : E("nextToken", nextToken));
    }

    private static Func<FakeEc2Instance, string?> Selector(string filter) => filter switch
    {
        "instance-state-name" => i => i.State,
        "instance-type" => i => i.InstanceType,
        "availability-zone" => i => i.Zone,
        "client-token" => i => i.ClientToken,
        "instance-id" => i => i.InstanceId,
        _ when filter.StartsWith("tag:", StringComparison.Ordinal) => i => i.Tags.GetValueOrDefault(filter[4..]),
        _ => throw new Ec2Error("InvalidParameterValue", $"The filter '{filter}' is invalid"),
    };

    private XElement DescribeSpotPriceHistory(string region, Ec2Query q, string requestId)
    {
        var types = q.List("InstanceType");
        var products = q.List("ProductDescription");
        var zone = q.Get("AvailabilityZone");
        var start = q.Get("StartTime") is { } s
            ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : (DateTimeOffset?)null;
        var series = spotPrices
            .Where(p => p.Region == region && (types.Count == 0 || types.Contains(p.InstanceType))
                && (products.Count == 0 || products.Contains(p.ProductDescription)) && (zone is null || p.Zone == zone))
            .GroupBy(p => (p.Zone, p.InstanceType, p.ProductDescription));
        // With a StartTime EC2 answers every change after it plus the price that was in force at it.
        var records = series.SelectMany(g => start is not { } from
                ? g
                : g.Where(p => p.Timestamp > from).Concat(g.Where(p => p.Timestamp <= from).OrderBy(p => p.Timestamp).TakeLast(1)))
            .OrderByDescending(p => p.Timestamp).ThenBy(p => p.Zone, StringComparer.Ordinal).ToList();
        var (page, nextToken) = Page(records, q, 1);
        return Response("DescribeSpotPriceHistory", requestId,
            Set("spotPriceHistorySet", page.Select(p => Item(E("instanceType", p.InstanceType),
                E("productDescription", p.ProductDescription), E("spotPrice", p.Price.ToString(CultureInfo.InvariantCulture)),
                E("timestamp", Time(p.Timestamp)), E("availabilityZone", p.Zone)))),
            E("nextToken", nextToken ?? ""));
    }

    private decimal? CurrentSpotPrice(string zone, string instanceType) => spotPrices
        .Where(p => p.Zone == zone && p.InstanceType == instanceType && p.Timestamp <= clock.GetUtcNow())
        .OrderBy(p => p.Timestamp).LastOrDefault()?.Price;

    private (List<T> Page, string? NextToken) Page<T>(List<T> all, Ec2Query q, int minResults)
    {
        var maxResults = q.Int("MaxResults") ?? int.MaxValue;
        if (maxResults < minResults || (maxResults > 1000 && maxResults != int.MaxValue))
        {
            throw new Ec2Error("InvalidParameterValue", $"Value ({maxResults}) for parameter maxResults is invalid.");
        }
        var offset = q.Get("NextToken") is { Length: > 0 } token ? int.Parse(token, CultureInfo.InvariantCulture) : 0;
        var size = Math.Min(maxResults, MaxPageSize);
        var page = all.Skip(offset).Take(size).ToList();
        return (page, offset + page.Count < all.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null);
    }
}
