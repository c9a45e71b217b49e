using System.CommandLine;
using Broker.Cli.Api;
using Spectre.Console;

namespace Broker.Cli.Commands;

/// <summary><c>broker cost</c>: the month's spend per team (a submitter sees its own) against its budget, from <c>GET /v1/reports/summary</c>.</summary>
internal static class CostCommand
{
    public static Command Build(CliSession session)
    {
        var month = new Option<string?>("--month") { Description = "The month, YYYY-MM (default: this month, UTC)" };
        var json = Shared.Json();
        var command = new Command("cost", "Your team's spend this month against its budget") { month, json };
        command.SetAction(async (parse, ct) =>
        {
            using var client = session.Connect();
            var summary = await client.GetAsync<CostSummaryView>(ApiCalls.CostSummary, null, [Shared.Q("month", parse.GetValue(month))], ct);
            if (parse.GetValue(json))
            {
                session.WriteJson(summary.Json);
                return ExitCodes.Ok;
            }
            var s = summary.Value;
            session.Out.WriteLine($"Spend in {s.Month}: {Shared.Usd(s.CostUsd)}, saved {Shared.Usd(s.SavingsUsd)} against on-demand");
            if (s.Teams.Count == 0)
            {
                session.Out.WriteLine("No spend and no budget yet.");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("TEAM", "SPENT", "CLOUD", "ON-PREM", "BUDGET", "USED", "REMAINING", "STATE", "PROJECTED CLOUD");
            foreach (var team in s.Teams)
            {
                var budget = team.Budget;
                table.AddRow(JobsCommand.Cells(team.Team, Shared.Usd(team.CostUsd), Shared.Usd(team.CloudCostUsd), Shared.Usd(team.OnPremCostUsd),
                    budget is null ? "none" : $"{Shared.Usd(budget.AmountUsd)}/{budget.Period}",
                    team.BudgetUsedPercent is { } used ? Shared.Number(used, "0.#") + " %" : "-",
                    budget?.Current is { } current ? Shared.Usd(current.RemainingUsd) : "-",
                    budget?.Current?.State ?? "-", Shared.Usd(team.ProjectedCloudCostUsd)));
            }
            session.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
