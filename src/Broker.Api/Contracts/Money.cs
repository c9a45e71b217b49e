namespace Broker.Api.Contracts;

public static class Money
{
    /// <summary>Drops the trailing zeros that numeric(18,6) adds, so 4.5 reads back as 4.5, not 4.500000.</summary>
    public static decimal Trim(decimal value) => value / 1.000000000000000000000000000000000m;
}
