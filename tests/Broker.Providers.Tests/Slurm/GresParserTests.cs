using Broker.Providers.Slurm;

namespace Broker.Providers.Tests.Slurm;

public sealed class GresParserTests
{
    [Theory]
    [InlineData("gpu:h100:8", "gpu", "h100", 8)]
    [InlineData("gpu:h100:6(IDX:0-5)", "gpu", "h100", 6)]
    [InlineData("gpu:a100:4(S:0-1)", "gpu", "a100", 4)]
    [InlineData("gpu:8", "gpu", null, 8)]
    [InlineData("gpu:h100:0(IDX:N/A)", "gpu", "h100", 0)]
    [InlineData("gpu", "gpu", null, 1)]
    [InlineData("gpu:l4", "gpu", "l4", 1)]
    [InlineData("gpu:nvidia_h100_80gb_hbm3:8(S:0-1)", "gpu", "nvidia_h100_80gb_hbm3", 8)]
    [InlineData("mps:1K", "mps", null, 1024)]
    public void Parses_a_single_gres(string gres, string name, string? type, int count)
    {
        var entry = Assert.Single(GresParser.Parse(gres));

        Assert.Equal(new GresEntry(name, type, count), entry);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("(null)")]
    [InlineData("N/A")]
    public void Parses_nothing_from_empty_markers(string? gres) => Assert.Empty(GresParser.Parse(gres));

    [Fact]
    public void Parses_comma_separated_lists_with_commas_inside_details()
    {
        var entries = GresParser.Parse("gpu:h100:4(IDX:0-1,3,5),gpu:a100:2(S:1),nic:1");

        Assert.Equal([new GresEntry("gpu", "h100", 4), new GresEntry("gpu", "a100", 2), new GresEntry("nic", null, 1)], entries);
    }

    [Fact]
    public void Skips_an_entry_whose_count_is_not_a_number()
    {
        var entries = GresParser.Parse("gpu:h100:x,gpu:l4:2");

        Assert.Equal([new GresEntry("gpu", "l4", 2)], entries);
    }
}
