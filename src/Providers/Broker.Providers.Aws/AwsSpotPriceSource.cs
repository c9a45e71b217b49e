using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Broker.Core.Capacity;

namespace Broker.Providers.Aws;

/// <summary>
/// Current EC2 spot prices from DescribeSpotPriceHistory: with StartTime = now EC2 answers the price in force now for
/// each zone, so the latest record per (zone, instance type) is the quote.
/// </summary>
public sealed class AwsSpotPriceSource(AwsClientFactory clients, TimeProvider clock) : IPriceSource
{
    private const string LinuxProduct = "Linux/UNIX";

    public string Provider => AwsComputeProvider.ProviderName;

    public async Task<IReadOnlyList<PriceQuote>> FetchAsync(IReadOnlyCollection<PriceKey> wanted, CancellationToken cancellationToken)
    {
        var quotes = new List<PriceQuote>();
        foreach (var region in wanted.GroupBy(k => k.Region, StringComparer.Ordinal))
        {
            var types = region.Select(k => k.InstanceType).Distinct(StringComparer.Ordinal).ToList();
            quotes.AddRange(await FetchRegion(region.Key, types, cancellationToken));
        }
        return quotes;
    }

    private async Task<IEnumerable<PriceQuote>> FetchRegion(string region, List<string> instanceTypes, CancellationToken cancellationToken)
    {
        var records = new List<SpotPrice>();
        var now = clock.GetUtcNow().UtcDateTime;
        string? nextToken = null;
        do
        {
            var request = new DescribeSpotPriceHistoryRequest
            {
                InstanceTypes = [.. instanceTypes],
                ProductDescriptions = [LinuxProduct],
                StartTime = now,
                MaxResults = 1000,
                NextToken = nextToken,
            };
            var page = await AwsComputeProvider.Call(
                () => clients.For(region).DescribeSpotPriceHistoryAsync(request, cancellationToken), cancellationToken);
            records.AddRange(page.SpotPriceHistory ?? []);
            nextToken = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (nextToken is not null);

        return records
            .Where(r => r.InstanceType is not null && r.Price is not null && instanceTypes.Contains(r.InstanceType.Value))
            .GroupBy(r => (Zone: r.AvailabilityZone, Type: r.InstanceType.Value))
            .Select(g => g.MaxBy(r => r.Timestamp ?? DateTime.MinValue)!)
            .Select(r => new PriceQuote(Provider, region, r.AvailabilityZone, r.InstanceType.Value, CapacityType.Spot,
                decimal.Parse(r.Price, NumberStyles.Float, CultureInfo.InvariantCulture),
                r.Timestamp is { } at ? Ec2InstanceMapper.AsUtc(at) : clock.GetUtcNow()));
    }
}
