using Broker.Testing;

namespace Broker.Cli.Tests;

/// <summary>Job files as a user writes them: on a GPU model only the simulated clouds have, so the job bursts at once.</summary>
public static class JobFiles
{
    public static string Example => Path.Combine(RepoPaths.Root, "examples", "job.yaml");

    public static string Write(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("broker-cli-job-").FullName, "job.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    public static string Cloud(string name, int minutes) => Write($"""
        # a small job for a cloud A10G
        name: {name}
        gpu:
          count: 1
          models: [A10G]
        cpuCores: 4
        memoryGb: 16
        image: ghcr.io/acme/train:1.4
        command: [python, train.py]
        estimatedDurationMinutes: {minutes}
        spot:
          allowed: false
        labels:
          suite: cli
        """);
}
