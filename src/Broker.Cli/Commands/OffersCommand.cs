using System.CommandLine;
using System.Globalization;
using Broker.Cli.Api;
using Spectre.Console;

namespace Broker.Cli.Commands;

/// <summary><c>broker offers</c>: cloud GPU offers, cheapest GPU-hour first, with spot interruption estimates and live blocks.</summary>
internal static class OffersCommand
{
    public static Command Build(CliSession session)
    {
        var model = new Option<string?>("--gpu-model") { Description = "Only this GPU model, e.g. H100-80GB" };
        var minGpus = new Option<int?>("--min-gpus") { Description = "Only instances with at least this many GPUs" };
        var market = new Option<string?>("--market") { Description = "spot or ondemand" };
        var provider = new Option<string?>("--provider") { Description = "aws, azure or gcp" };
        var region = new Option<string?>("--region") { Description = "Only this region" };
        var limit = new Option<int?>("--limit") { Description = "At most this many offers (default 100)" };
        var json = Shared.Json();
        var command = new Command("offers", "Cloud GPU offers, cheapest GPU-hour first") { model, minGpus, market, provider, region, limit, json };
        command.SetAction(async (parse, ct) =>
        {
            using var client = session.Connect();
            var offers = await client.GetAsync<OfferPage>(ApiCalls.Offers, null,
            [
                Shared.Q("gpuModel", parse.GetValue(model)), Shared.Q("minGpus", parse.GetValue(minGpus)), Shared.Q("market", parse.GetValue(market)),
                Shared.Q("provider", parse.GetValue(provider)), Shared.Q("region", parse.GetValue(region)), Shared.Q("limit", parse.GetValue(limit)),
            ], ct);
            if (parse.GetValue(json))
            {
                session.WriteJson(offers.Json);
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("PROVIDER", "REGION", "INSTANCE", "GPUS", "VCPUS", "MEMORY", "MARKET", "$/GPU-H", "$/H", "INTERRUPTS/H", "BLOCKED");
            foreach (var o in offers.Value.Items)
            {
                table.AddRow(JobsCommand.Cells(o.Provider, o.Region + (o.Zone is { } z ? $" ({z})" : ""), o.InstanceType, $"{o.GpuCount}×{o.GpuModel}",
                    o.VCpus.ToString(CultureInfo.InvariantCulture), o.MemoryGb.ToString("0.#", CultureInfo.InvariantCulture) + " GB", o.Market,
                    Shared.Number(o.PricePerGpuHour, "0.0000"), Shared.Number(o.PricePerHour, "0.0000"),
                    o.InterruptionsPerHour is { } rate ? rate.ToString("0.###", CultureInfo.InvariantCulture) : "-",
                    o.Blocked ? o.BlockedReason ?? "yes" : ""));
            }
            session.Console.Write(table);
            if (offers.Value.Items.Count == 0)
            {
                session.Out.WriteLine("No offers match.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
