namespace Broker.Testing;

/// <summary>Finds the checkout (the folder with Broker.sln) and the shared data beside it, wherever CI cloned them.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The shared data folder (<c>../shared/data</c>), or null on machines that do not have it.</summary>
    public static string? SharedData
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Broker.sln not found above " + AppContext.BaseDirectory);
    }
}
