using Broker.Core.Capacity.Catalog;
using Broker.Tools.Seed;

namespace Broker.Core.Tests.Catalog;

public sealed class SeedGeneratorTests
{
    [SkippableFact]
    public void Generator_output_from_shared_prices_matches_the_committed_seed_file()
    {
        var root = RepoPaths.FindRepoRoot(AppContext.BaseDirectory);
        var prices = root is null ? null : RepoPaths.FindSharedData(root, "prices");
        Skip.If(prices is null, "shared/data/prices is not beside the repository; the seed file cannot be regenerated here");

        var generated = SeedGenerator.Generate(prices!);

        Assert.Equal(generated, SeedCatalog.ReadEmbeddedText());
        Assert.Equal(generated, File.ReadAllText(Path.Combine(root!, RepoPaths.SeedFile)));
    }

    [Fact]
    public void Source_csv_keeps_quoted_commas_inside_one_field()
    {
        var fields = SourceCsv.Split("Standard_NC12s_v3,V100,2,\"V1,V2\",\"say \"\"hi\"\"\"");

        Assert.Equal(["Standard_NC12s_v3", "V100", "2", "V1,V2", "say \"hi\""], fields);
    }

    [Fact]
    public void Seed_row_refuses_a_field_with_a_comma()
    {
        var row = new SeedRow("aws", "us-east-1", "p5.48xlarge", "NVIDIA H100, SXM", "8", "640", "192", "2048", "55.04", "", "", "2025-11-30");

        Assert.Throws<InvalidDataException>(row.ToCsvLine);
    }
}
