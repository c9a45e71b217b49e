namespace Broker.Providers.Tests.Simulated;

/// <summary>Finds ../shared/data/spot beside the repository (or beside a folder further up, for git worktrees).</summary>
internal static class SharedSpotTraces
{
    public const string Root = "can-t-be-late-traces";

    public static string? Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "spot", Root, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
