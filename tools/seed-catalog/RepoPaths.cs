namespace Broker.Tools.Seed;

/// <summary>Finds the repository root (the folder with Broker.sln) and the shared data beside it.</summary>
public static class RepoPaths
{
    public const string SeedFile = "src/Broker.Core/Capacity/Seed/offers-v1.csv";

    public static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    /// <summary>
    /// shared/data/<paramref name="sub"/> beside the repository (&lt;root&gt;/../shared), or beside a folder further up
    /// (a git worktree sits one level deeper). BROKER_SHARED_DATA overrides the search.
    /// </summary>
    public static string? FindSharedData(string repoRoot, string sub)
    {
        if (Environment.GetEnvironmentVariable("BROKER_SHARED_DATA") is { Length: > 0 } overridden)
        {
            var candidate = Path.Combine(overridden, sub);
            return Directory.Exists(candidate) ? candidate : null;
        }
        for (var dir = new DirectoryInfo(repoRoot).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", sub);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
