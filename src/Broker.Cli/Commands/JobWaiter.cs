using System.Text.Json;
using Broker.Cli.Api;

namespace Broker.Cli.Commands;

/// <summary>
/// Follows a job to its end: prints each new timeline event while it is not running, follows the running segment's
/// log until that segment ends, and goes on (a spot interruption requeues the job, and its next segment is followed too).
/// </summary>
internal sealed class JobWaiter(CliSession session, BrokerClient client, TextWriter progress)
{
    private readonly HashSet<Guid> followed = [];
    private int printedEvents;

    public async Task<ApiResponse<JobView>> WaitAsync(string id, CancellationToken ct)
    {
        string? lastState = null;
        while (true)
        {
            var response = await client.GetAsync<JobView>(ApiCalls.GetJob, id, [], ct);
            var job = response.Value;
            PrintNewEvents(job);
            if (job.State != lastState && job.Timeline is null)
            {
                progress.WriteLine($"{Shared.Time(job.UpdatedAt)}  {job.State}");
            }
            lastState = job.State;
            var segment = job.Segments?.OrderBy(s => s.CreatedAt).LastOrDefault();
            if (job.State == JobStates.Running && !followed.Contains(segment?.AllocationId ?? Guid.Empty))
            {
                progress.WriteLine($"Job {job.Id} is running; following its log (Ctrl+C stops following, the job goes on).");
                await FollowAsync(id, segment?.AllocationId, ct);
                continue;
            }
            if (job.IsTerminal)
            {
                progress.WriteLine($"Job {job.Id} {job.State}.");
                return response;
            }
            await Task.Delay(session.Environment.PollInterval, ct);
        }
    }

    private void PrintNewEvents(JobView job)
    {
        var timeline = job.Timeline ?? [];
        foreach (var e in timeline.Skip(printedEvents))
        {
            progress.WriteLine($"{Shared.Time(e.At)}  {e.Kind,-10} {e.Message}");
        }
        printedEvents = Math.Max(printedEvents, timeline.Count);
    }

    private async Task FollowAsync(string id, Guid? segment, CancellationToken ct)
    {
        await foreach (var e in client.FollowLogsAsync(id, [Shared.Q("segment", segment?.ToString())], ct))
        {
            switch (e.Kind)
            {
                case "meta" when JsonSerializer.Deserialize<LogStreamMeta>(e.Data, JsonSerializerOptions.Web) is { } meta:
                    followed.Add(meta.Segment ?? segment ?? Guid.Empty);
                    if (meta.DroppedBytes > 0)
                    {
                        session.Error.WriteLine($"(the oldest {meta.DroppedBytes} bytes of this job's output were dropped to keep it under Broker's cap)");
                    }
                    break;
                case "line" when JsonSerializer.Deserialize<LogLineView>(e.Data, JsonSerializerOptions.Web) is { } line:
                    LogsCommand.Write(session, line, progress);
                    break;
            }
        }
        followed.Add(segment ?? Guid.Empty);
    }
}

/// <summary>The first event of a followed log.</summary>
internal sealed record LogStreamMeta(Guid? Segment, long DroppedBytes);
