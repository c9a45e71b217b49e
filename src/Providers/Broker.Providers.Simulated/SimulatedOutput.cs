using System.Globalization;
using System.Text;

namespace Broker.Providers.Simulated;

/// <summary>
/// The few lines a simulated job prints, so a simulated cloud segment has logs to ship like a real instance's boot script:
/// one stdout line when it starts, one when it exits (continuing the stream at its byte offset), and a stderr line for a
/// failure or a spot interruption. Deterministic from the instance, so a redelivered event ships the same bytes.
/// </summary>
internal static class SimulatedOutput
{
    public static IReadOnlyList<SimulatedLogChunk> Started(string provider, SimulatedInstance instance) =>
        [new("stdout", 0, StartLine(provider, instance))];

    public static IReadOnlyList<SimulatedLogChunk> Finished(string provider, SimulatedInstance instance)
    {
        var exit = string.Create(CultureInfo.InvariantCulture, $"job exited with code {instance.ExitCode}\n");
        var chunks = new List<SimulatedLogChunk> { new("stdout", Encoding.UTF8.GetByteCount(StartLine(provider, instance)), exit) };
        if (instance.ExitCode != 0)
        {
            chunks.Add(new("stderr", 0, string.Create(CultureInfo.InvariantCulture, $"simulated failure: exit code {instance.ExitCode}\n")));
        }
        return chunks;
    }

    public static IReadOnlyList<SimulatedLogChunk> Interrupted(string provider) =>
        [new("stderr", 0, $"{provider} reclaimed the spot instance\n")];

    private static string StartLine(string provider, SimulatedInstance instance) =>
        $"simulated {provider} instance {instance.InstanceId} ({instance.InstanceType}, {(instance.Market == Broker.Core.Capacity.CapacityType.Spot ? "spot" : "on-demand")}) running job {instance.Request?.JobId:D}\n";
}
