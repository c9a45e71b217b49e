using System.Text;
using System.Text.Json.Nodes;

namespace Broker.Bench.SubmitThroughput.Load;

/// <summary>
/// The realistic submission of the API tests (tests/Broker.Api.Tests/Infrastructure/Jobs.cs ValidBody) with a caller-chosen
/// name. The JSON is rendered once; a submit only splices its name in, so the generator spends little CPU per request.
/// </summary>
internal static class JobBodies
{
    private const string NameMarker = "@@NAME@@";
    private static readonly string[] Parts = Template().ToJsonString().Split(NameMarker);

    /// <param name="name">Letters, digits, '.', '_' and '-' only: it is spliced in without JSON escaping.</param>
    public static byte[] Utf8(string name) => Encoding.UTF8.GetBytes(string.Concat(Parts[0], name, Parts[1]));

    private static JsonObject Template() => new()
    {
        ["name"] = NameMarker,
        ["gpu"] = new JsonObject { ["count"] = 2, ["models"] = new JsonArray("h100", "A100-80GB"), ["minMemoryGb"] = 40 },
        ["cpuCores"] = 16,
        ["memoryGb"] = 128,
        ["image"] = "ghcr.io/acme/train:1.4",
        ["command"] = new JsonArray("python", "train.py", "--epochs", "3"),
        ["estimatedDurationMinutes"] = 90,
        ["priority"] = 10,
        ["spot"] = new JsonObject { ["allowed"] = true, ["checkpointIntervalMinutes"] = 15 },
        ["maxPricePerGpuHour"] = 4.5,
        ["labels"] = new JsonObject { ["project"] = "vision", ["stage"] = "exp" },
    };
}
