using Broker.Providers.Slurm;

namespace Broker.Providers.Tests.Slurm;

public sealed class SlurmJobNamesTests
{
    [Fact]
    public void The_allocation_id_is_read_back_from_the_name_built_for_it()
    {
        var allocation = Guid.NewGuid();

        Assert.Equal(allocation, SlurmJobNames.AllocationOf(SlurmJobNames.For(allocation)));
    }

    [Theory]
    [InlineData("broker-not-a-guid")]
    [InlineData("broker-")]
    [InlineData("broker-0f8fad5bd9cb469fa16570867728950e")]
    [InlineData("broker-{0f8fad5b-d9cb-469f-a165-70867728950e}")]
    [InlineData("broker-0F8FAD5B-D9CB-469F-A165-70867728950E")]
    [InlineData("broker-0f8fad5b-d9cb-469f-a165-70867728950e-retry")]
    [InlineData("other-0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("")]
    [InlineData(null)]
    public void A_name_Broker_did_not_build_for_an_allocation_has_none(string? name) => Assert.Null(SlurmJobNames.AllocationOf(name));

    [Theory]
    [InlineData("broker-not-a-guid", true)]
    [InlineData("broker-0f8fad5b-d9cb-469f-a165-70867728950e", true)]
    [InlineData("Broker-0f8fad5b-d9cb-469f-a165-70867728950e", false)]
    [InlineData("my-broker-job", false)]
    [InlineData(null, false)]
    public void Broker_names_are_those_with_its_prefix(string? name, bool brokers) => Assert.Equal(brokers, SlurmJobNames.IsBrokers(name));
}
