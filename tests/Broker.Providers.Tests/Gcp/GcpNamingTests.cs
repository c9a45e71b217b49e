using System.Text.RegularExpressions;
using Broker.Core.Capacity;
using Broker.Providers.Gcp;

namespace Broker.Providers.Tests.Gcp;

public sealed partial class GcpNamingTests
{
    [Fact]
    public void Instance_name_is_a_valid_gce_name_and_stable_per_allocation()
    {
        var allocation = Guid.NewGuid();

        var name = GcpNaming.InstanceName(allocation);

        Assert.Matches(ResourceName(), name);
        Assert.Equal(name, GcpNaming.InstanceName(allocation));
        Assert.NotEqual(name, GcpNaming.InstanceName(Guid.NewGuid()));
    }

    [Fact]
    public void Insert_request_id_is_a_stable_non_zero_uuid_that_changes_with_the_offer()
    {
        var allocation = Guid.NewGuid();

        var id = GcpNaming.InsertRequestId(allocation, "us-central1-a", "a2-highgpu-1g", CapacityType.Spot);

        Assert.NotEqual(Guid.Empty, id);
        Assert.Equal('8', id.ToString()[14]); // RFC 9562 version 8
        Assert.Equal(id, GcpNaming.InsertRequestId(allocation, "us-central1-a", "a2-highgpu-1g", CapacityType.Spot));
        Assert.NotEqual(id, GcpNaming.InsertRequestId(allocation, "us-central1-b", "a2-highgpu-1g", CapacityType.Spot));
        Assert.NotEqual(id, GcpNaming.InsertRequestId(allocation, "us-central1-a", "a2-highgpu-1g", CapacityType.OnDemand));
        Assert.NotEqual(id, allocation);
    }

    [Theory]
    [InlineData("Broker-Managed", "broker-managed")]
    [InlineData("Team A/ML", "team_a_ml")]
    public void Labels_are_folded_to_the_gcp_alphabet(string raw, string expected) =>
        Assert.Equal(expected, GcpLabels.Sanitize(raw));

    [Fact]
    public void Labels_longer_than_63_characters_are_cut()
    {
        Assert.Equal(63, GcpLabels.Sanitize(new string('x', 100)).Length);
    }

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex ResourceName();
}
