using System.CommandLine;
using Broker.Cli.Api;

namespace Broker.Cli.Commands;

/// <summary><c>broker logs ID [-f] [--tail N] [--segment S]</c>: stdout lines go to stdout and stderr lines to stderr, as the job wrote them.</summary>
internal static class LogsCommand
{
    public static Command Build(CliSession session)
    {
        var id = Shared.JobId();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing lines as they arrive, until the segment ends" };
        var tail = new Option<int?>("--tail", "-n") { Description = "Only the last N lines (1 to 10000)" };
        var segment = new Option<string?>("--segment") { Description = "A run segment's id (see 'broker status'); default: the latest" };
        var json = Shared.Json();
        var command = new Command("logs", "Print a job's output (the latest run segment by default)") { id, follow, tail, segment, json };
        command.SetAction(async (parse, ct) =>
        {
            using var client = session.Connect();
            var jobId = parse.GetRequiredValue(id);
            KeyValuePair<string, string?>[] query = [Shared.Q("segment", parse.GetValue(segment)), Shared.Q("tail", parse.GetValue(tail))];
            if (parse.GetValue(follow))
            {
                if (parse.GetValue(segment) is null)
                {
                    await WaitForFirstSegmentAsync(session, client, jobId, ct);
                }
                await foreach (var e in client.FollowLogsAsync(jobId, query, ct))
                {
                    if (parse.GetValue(json))
                    {
                        session.Out.WriteLine($"{{\"event\":{System.Text.Json.JsonSerializer.Serialize(e.Kind)},\"data\":{e.Data}}}");
                    }
                    else if (e.Kind == "line" && System.Text.Json.JsonSerializer.Deserialize<LogLineView>(e.Data, System.Text.Json.JsonSerializerOptions.Web) is { } line)
                    {
                        Write(session, line, session.Out);
                    }
                }
                return ExitCodes.Ok;
            }
            var page = await client.GetAsync<LogPage>(ApiCalls.JobLogs, jobId, query, ct);
            if (parse.GetValue(json))
            {
                session.WriteJson(page.Json);
                return ExitCodes.Ok;
            }
            if (page.Value.DroppedBytes > 0)
            {
                session.Error.WriteLine($"(the oldest {page.Value.DroppedBytes} bytes of this job's output were dropped to keep it under Broker's cap)");
            }
            foreach (var line in page.Value.Lines)
            {
                Write(session, line, session.Out);
            }
            if (page.Value.Segment is null)
            {
                session.Error.WriteLine("(the job has not run yet: no output)");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A queued job has no output yet: <c>-f</c> waits for its first run segment instead of ending at once.</summary>
    private static async Task WaitForFirstSegmentAsync(CliSession session, BrokerClient client, string jobId, CancellationToken ct)
    {
        var said = false;
        while ((await client.GetAsync<JobView>(ApiCalls.GetJob, jobId, [], ct)).Value is { Segments.Count: 0, IsTerminal: false } job)
        {
            if (!said)
            {
                session.Error.WriteLine($"(job {job.Id} is {job.State}: waiting for it to start)");
                said = true;
            }
            await Task.Delay(session.Environment.PollInterval, ct);
        }
    }

    public static void Write(CliSession session, LogLineView line, TextWriter stdout) =>
        (line.Stream == "stderr" ? session.Error : stdout).WriteLine(line.Text);
}
