using System.Text.Json;
using Broker.Core.Capacity;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Scenarios;

/// <summary>Reads a scenario JSON file, resolves its relative paths and loads its spot traces, failing with clear messages.</summary>
public static class ScenarioLoader
{
    public const string CsvFormat = "csv";
    public const string AlibabaFormat = "alibaba-openb";
    public const string PhillyFormat = "gavel-philly";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static LoadedScenario Load(string scenarioPath)
    {
        var fullPath = Path.GetFullPath(scenarioPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Scenario file not found: {fullPath}", fullPath);
        }
        Scenario scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<Scenario>(File.ReadAllText(fullPath), Json)
                ?? throw new TraceFormatException($"{fullPath}: empty scenario");
        }
        catch (JsonException e)
        {
            throw new TraceFormatException($"{fullPath}: invalid scenario JSON at {e.Path} (line {e.LineNumber + 1}): {e.Message}", e);
        }
        scenario = Normalize(scenario);
        ScenarioValidator.Validate(scenario, fullPath);
        var folder = Path.GetDirectoryName(fullPath)!;
        var tracePath = Resolve(scenario.Trace.Path, folder, "trace");
        var spot = scenario.SpotTraces
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .ToDictionary(t => t.Key, t => SpotAvailabilityTrace.Parse(t.Key,
                File.ReadAllText(Resolve(t.Value, folder, $"spot availability trace '{t.Key}'"))), StringComparer.Ordinal);
        var estimates = scenario.Estimates?.Path is { } estimatesPath ? Resolve(estimatesPath, folder, "estimates") : null;
        var throughputs = scenario.Philly?.Throughputs is { } tp ? Resolve(tp, folder, "Gavel throughputs") : null;
        return new LoadedScenario(scenario, fullPath, tracePath, spot, estimates, throughputs);
    }

    /// <summary>
    /// Resolves a relative path against the scenario's folder, then against the repository root (the nearest ancestor
    /// holding Broker.sln or .git) and that root's ancestors, so <c>../shared/...</c> is also found from a git worktree
    /// checked out one level deeper. Fails naming every place it looked.
    /// </summary>
    public static string Resolve(string path, string scenarioFolder, string what)
    {
        if (Path.IsPathRooted(path))
        {
            return File.Exists(path) ? path : throw new FileNotFoundException($"The {what} file was not found: {path}", path);
        }
        var tried = new List<string> { Path.GetFullPath(Path.Combine(scenarioFolder, path)) };
        for (var dir = RepoRoot(scenarioFolder) is { } root ? new DirectoryInfo(root) : null; dir is not null; dir = dir.Parent)
        {
            tried.Add(Path.GetFullPath(Path.Combine(dir.FullName, path)));
        }
        return tried.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"The {what} file '{path}' was not found (looked at {string.Join(" and ", tried)}).", path);
    }

    private static string? RepoRoot(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Broker.sln")) || Directory.Exists(Path.Combine(dir.FullName, ".git"))
                || File.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    private static Scenario Normalize(Scenario s) => s with
    {
        OnPrem = s.OnPrem with { Nodes = s.OnPrem.Nodes.Select(n => n with { GpuModel = GpuModels.Normalize(n.GpuModel) }).ToArray() },
        Cloud = s.Cloud with { Offers = s.Cloud.Offers.Select(o => o with { GpuModel = GpuModels.Normalize(o.GpuModel) }).ToArray() },
    };
}
