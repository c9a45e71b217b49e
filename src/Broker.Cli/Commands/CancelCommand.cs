using System.CommandLine;
using Broker.Cli.Api;

namespace Broker.Cli.Commands;

internal static class CancelCommand
{
    public static Command Build(CliSession session)
    {
        var id = Shared.JobId();
        var json = Shared.Json();
        var command = new Command("cancel", "Cancel a job (cancelling a cancelled job again is fine; a finished one is refused)") { id, json };
        command.SetAction(async (parse, ct) =>
        {
            using var client = session.Connect();
            var job = await client.SendAsync<JobView>(ApiCalls.CancelJob, parse.GetRequiredValue(id), [], null, null, ct);
            if (parse.GetValue(json))
            {
                session.WriteJson(job.Json);
            }
            else
            {
                session.Out.WriteLine($"Job {job.Value.Id} ({job.Value.Name}): {job.Value.State}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
