using System.CommandLine;
using Broker.Cli.Api;
using Broker.Cli.Specs;

namespace Broker.Cli.Commands;

/// <summary><c>broker submit job.yaml [--wait]</c>: the file's fields are the REST body; a generated Idempotency-Key makes a retry safe.</summary>
internal static class SubmitCommand
{
    public static Command Build(CliSession session, Option<bool> verbose)
    {
        var file = new Argument<FileInfo>("file") { Description = "The job file (YAML, the fields of POST /v1/jobs; see examples/job.yaml)" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Show progress until the job runs, then follow its logs until it ends" };
        var key = new Option<string?>("--idempotency-key")
        {
            Description = "Send this Idempotency-Key (default: a new one; the same key and body return the first job)",
        };
        var json = Shared.Json();
        var command = new Command("submit", "Submit a job from a YAML file") { file, wait, key, json };
        command.SetAction(async (parse, ct) =>
        {
            var spec = JobSpecReader.ReadFile(parse.GetRequiredValue(file).FullName);
            var idempotencyKey = parse.GetValue(key) ?? "cli-" + Guid.CreateVersion7().ToString("N");
            var asJson = parse.GetValue(json);
            if (parse.GetValue(verbose))
            {
                session.Error.WriteLine($"Idempotency-Key: {idempotencyKey}");
            }
            using var client = session.Connect();
            var submitted = await client.SendAsync<JobView>(ApiCalls.SubmitJob, null, [], spec.ToJson(),
                new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey }, ct);
            var job = submitted.Value;
            var progress = asJson ? session.Error : session.Out;
            if (asJson && !parse.GetValue(wait))
            {
                session.WriteJson(submitted.Json);
            }
            else
            {
                progress.WriteLine(submitted.Status == 201
                    ? $"Submitted job {job.Id} ({job.Name}): {job.State}"
                    : $"This Idempotency-Key already submitted job {job.Id} ({job.Name}): {job.State}");
            }
            if (!parse.GetValue(wait))
            {
                return ExitCodes.Ok;
            }
            var final = await new JobWaiter(session, client, progress).WaitAsync(job.Id.ToString(), ct);
            if (asJson)
            {
                session.WriteJson(final.Json);
            }
            return final.Value.State == JobStates.Succeeded ? ExitCodes.Ok : ExitCodes.JobFailed;
        });
        return command;
    }
}
