using Broker.Core.Costs.Reports;
using Broker.Core.Costs;
using CsvHelper;

namespace Broker.Api.Contracts;

/// <summary>
/// A cost report as RFC 4180 CSV (CsvHelper: CRLF line ends, fields quoted when needed), written to the response as it
/// goes. Columns: the groupBy names in order, then gpu_hours, cost_usd, on_demand_cost_usd, savings_usd, entries. Numbers
/// are invariant-culture decimals with no exponent and no rounding beyond the ledger's, so they parse back exactly. A
/// missing key (an entry without that label) is an empty field; a key a spreadsheet would run as a formula (labels are
/// free text) gets a leading apostrophe (CsvHelper's injection escape, which leaves numbers alone).
/// </summary>
public static class CostCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly CsvWriterOptions Options = new() { Injection = CsvInjection.Escape };

    public static readonly string[] AmountColumns = ["gpu_hours", "cost_usd", "on_demand_cost_usd", "savings_usd", "entries"];

    public static async Task WriteAsync(Stream body, IReadOnlyList<CostRow> rows, CostQuery query, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(body, Options, true);
        foreach (var name in query.GroupBy.Select(g => g.Name).Concat(AmountColumns))
        {
            csv.WriteField(name);
        }
        await csv.EndRecordAsync(ct);
        foreach (var row in rows)
        {
            foreach (var key in row.Keys)
            {
                csv.WriteField(key ?? "");
            }
            csv.WriteField(Money.Trim(row.GpuHours), "");
            csv.WriteField(Money.Trim(row.Cost), "");
            csv.WriteField(Money.Trim(row.OnDemandCost), "");
            csv.WriteField(Money.Trim(row.Savings), "");
            csv.WriteField(row.Entries, "");
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
    }
}
