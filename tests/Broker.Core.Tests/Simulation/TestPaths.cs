using System.Runtime.CompilerServices;

namespace Broker.Core.Tests.Simulation;

/// <summary>Finds the fixtures next to this source file and ../shared/data beside the repository (or an ancestor).</summary>
internal static class TestPaths
{
    public static string Fixtures([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Fixtures");

    public static string Fixture(string name) => Path.Combine(Fixtures(), name);

    public static string RepoRoot([CallerFilePath] string here = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(here)!); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Repository root (Broker.sln) not found above " + here);
    }

    /// <summary>The shared data folder: &lt;root&gt;/../shared/data, or the same beside an ancestor (git worktrees).</summary>
    public static string? SharedData()
    {
        for (var dir = new DirectoryInfo(RepoRoot()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "data");
            if (Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }
        return null;
    }
}

/// <summary>A fact that is skipped (with the reason) when ../shared/data is not beside the repository.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (TestPaths.SharedData() is null)
        {
            Skip = "../shared/data is not present beside the repository";
        }
    }
}
