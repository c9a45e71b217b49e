using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Tests.Catalog;

/// <summary>Builds small seed files for tests and reads the rows of the real one.</summary>
internal static class SeedText
{
    public static CatalogLoadResult Load(params SeedRow[] rows)
    {
        var text = SeedRow.Header + "\n" + string.Join("\n", rows.Select(r => r.ToCsvLine()));
        using var reader = new StringReader("# test seed\n" + text);
        return SeedCatalog.Parse(reader);
    }

    public static SeedRow Row(string provider = "aws", string region = "us-east-1", string type = "p5.48xlarge",
        string accelerator = "NVIDIA H100", string gpus = "8", string gpuMemory = "640", string onDemand = "55.04",
        string spot = "18.5", string band = "<5%") =>
        new(provider, region, type, accelerator, gpus, gpuMemory, "192", "2048", onDemand, spot, band, "2025-11-30");

    public static IReadOnlyList<SeedRow> RealRows() =>
        SeedCatalog.ReadEmbeddedText().Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Skip(1)
            .Select(SeedRow.Parse)
            .ToList();
}
