using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Broker.Cli.Api;
using Spectre.Console;

namespace Broker.Cli.Commands;

/// <summary><c>broker jobs</c>: the list API's filters and keyset pages, newest first.</summary>
internal static class JobsCommand
{
    public static Command Build(CliSession session)
    {
        var state = new Option<string?>("--state") { Description = "Only these states, comma-separated (pending,placed,starting,running,succeeded,failed,cancelled)" };
        var label = new Option<string?>("--label") { Description = "Only jobs with this label: key=value" };
        var team = new Option<string?>("--team") { Description = "Only this team's jobs (ops, finance, admin keys)" };
        var from = new Option<string?>("--from") { Description = "Submitted at or after this time (RFC 3339)" };
        var to = new Option<string?>("--to") { Description = "Submitted before this time (RFC 3339)" };
        var limit = new Option<int?>("--limit") { Description = "Jobs per page (default 50, at most 500)" };
        var cursor = new Option<string?>("--cursor") { Description = "The page after this cursor (printed under the table)" };
        var all = new Option<bool>("--all") { Description = "Follow the cursors and show every page" };
        var json = Shared.Json();
        var command = new Command("jobs", "List jobs, newest first") { state, label, team, from, to, limit, cursor, all, json };
        command.SetAction(async (parse, ct) =>
        {
            using var client = session.Connect();
            var next = parse.GetValue(cursor);
            var jobs = new List<JobView>();
            var pages = new List<JsonNode>();
            do
            {
                var page = await client.GetAsync<JobPage>(ApiCalls.ListJobs, null,
                [
                    Shared.Q("state", parse.GetValue(state)), Shared.Q("label", parse.GetValue(label)), Shared.Q("team", parse.GetValue(team)),
                    Shared.Q("submittedFrom", parse.GetValue(from)), Shared.Q("submittedTo", parse.GetValue(to)),
                    Shared.Q("limit", parse.GetValue(limit)), Shared.Q("cursor", next),
                ], ct);
                jobs.AddRange(page.Value.Items);
                pages.Add(JsonNode.Parse(page.Json)!);
                next = page.Value.NextCursor;
            }
            while (parse.GetValue(all) && next is not null);
            if (parse.GetValue(json))
            {
                // One page is Broker's answer as it is; --all joins the pages' items into one answer of the same shape.
                session.WriteJson(pages.Count == 1 ? pages[0].ToJsonString() : new JsonObject
                {
                    ["items"] = new JsonArray([.. pages.SelectMany(p => p["items"]!.AsArray()).Select(i => i!.DeepClone())]),
                    ["nextCursor"] = null,
                }.ToJsonString(JsonSerializerOptions.Web));
                return ExitCodes.Ok;
            }
            Render(session, jobs);
            if (next is not null)
            {
                session.Out.WriteLine($"More: broker jobs --cursor {next}   (or --all)");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Render(CliSession session, List<JobView> jobs)
    {
        if (jobs.Count == 0)
        {
            session.Out.WriteLine("No jobs.");
            return;
        }
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("ID", "NAME", "TEAM", "STATE", "GPUS", "SUBMITTED", "UPDATED");
        foreach (var job in jobs)
        {
            var gpus = $"{job.Gpu.Count}×{(job.Gpu.Models is { Count: > 0 } m ? string.Join("|", m) : "any")}";
            table.AddRow(Cells(job.Id.ToString(), job.Name, job.Team, job.State, gpus, Shared.Time(job.SubmittedAt), Shared.Time(job.UpdatedAt)));
        }
        session.Console.Write(table);
    }

    /// <summary>Every value is text from the API, never Spectre markup.</summary>
    public static Text[] Cells(params string[] values) => [.. values.Select(v => new Text(v))];
}
