namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// What <see cref="SeedCatalog.Load"/> produced and what it left out. Every seed row is either an offer or counted in
/// exactly one skip bucket, checked in this order: no on-demand price, no accelerator listed, not NVIDIA, a fraction of a GPU.
/// The caller logs <see cref="Summary"/> at start-up.
/// </summary>
/// <param name="GpuCountsCorrected">Rows whose GPU count the source states wrongly (see <see cref="SeedCorrections"/>).</param>
/// <param name="SpotPricesCleared">Azure rows whose spot price merely repeats on-demand: spot set to unknown (null).</param>
public sealed record CatalogLoadResult(
    string Version,
    IReadOnlyList<CatalogOffer> Offers,
    int RowsRead,
    int SkippedWithoutPrice,
    int SkippedNonNvidia,
    int SkippedNoAccelerator,
    int SkippedFractionalGpu,
    int GpuCountsCorrected,
    int SpotPricesCleared)
{
    public int Skipped => SkippedWithoutPrice + SkippedNonNvidia + SkippedNoAccelerator + SkippedFractionalGpu;

    public string Summary() =>
        $"seed catalog {Version}: {Offers.Count} offers from {RowsRead} rows; skipped {SkippedWithoutPrice} without price, " +
        $"{SkippedNonNvidia} non-NVIDIA, {SkippedNoAccelerator} without accelerator, {SkippedFractionalGpu} fractional-GPU; " +
        $"corrected {GpuCountsCorrected} GPU counts; cleared {SpotPricesCleared} spot prices equal to on-demand";
}
