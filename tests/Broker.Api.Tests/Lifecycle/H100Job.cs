using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>Bodies of jobs for the local cluster's two 8-GPU H100 nodes, as the tests of moving running jobs submit them.</summary>
internal static class H100Job
{
    /// <summary>
    /// A job of <paramref name="gpus"/> H100s running <paramref name="command"/>: with a checkpoint interval it checkpoints and
    /// does not accept spot; without one, spot is <paramref name="spotAllowed"/>. A null <paramref name="maxPricePerGpuHour"/>
    /// leaves the job without a price cap.
    /// </summary>
    public static JsonObject Body(string name, int gpus, string[] command, int minutes, int? checkpointMinutes, bool spotAllowed,
        decimal? maxPricePerGpuHour)
    {
        var body = JobApi.ValidBody(name);
        body["gpu"] = new JsonObject { ["count"] = gpus, ["models"] = new JsonArray("H100-80GB") };
        body["spot"] = checkpointMinutes is { } every
            ? new JsonObject { ["allowed"] = false, ["checkpointIntervalMinutes"] = every }
            : new JsonObject { ["allowed"] = spotAllowed };
        body["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]);
        body["estimatedDurationMinutes"] = minutes;
        body.Remove("maxPricePerGpuHour");
        if (maxPricePerGpuHour is { } cap)
        {
            body["maxPricePerGpuHour"] = cap;
        }
        return body;
    }
}
