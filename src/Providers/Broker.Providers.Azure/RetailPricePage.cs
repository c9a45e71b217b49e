using System.Text.Json.Serialization;

namespace Broker.Providers.Azure;

/// <summary>One page of the Azure Retail Prices API (only the fields Broker reads).</summary>
internal sealed record RetailPricePage(
    [property: JsonPropertyName("Items")] List<RetailPriceItem>? Items,
    [property: JsonPropertyName("NextPageLink")] string? NextPageLink);

internal sealed record RetailPriceItem(
    [property: JsonPropertyName("armRegionName")] string? ArmRegionName,
    [property: JsonPropertyName("armSkuName")] string? ArmSkuName,
    [property: JsonPropertyName("meterName")] string? MeterName,
    [property: JsonPropertyName("productName")] string? ProductName,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("unitOfMeasure")] string? UnitOfMeasure,
    [property: JsonPropertyName("currencyCode")] string? CurrencyCode,
    [property: JsonPropertyName("retailPrice")] decimal RetailPrice,
    [property: JsonPropertyName("isPrimaryMeterRegion")] bool? IsPrimaryMeterRegion);
