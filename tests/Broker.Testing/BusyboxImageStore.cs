using System.Diagnostics;

namespace Broker.Testing;

/// <summary>
/// A site image store for tests: an OCI image layout built offline from Debian's <c>busybox-static</c> with umoci (init,
/// new, insert), one image per tag, every applet linked in <c>/bin</c>, plus files only the image has. Readable by every
/// user, as ops must make the real store for the team users.
/// </summary>
public sealed class BusyboxImageStore : IDisposable
{
    private BusyboxImageStore(string root) => Root = root;

    /// <summary>The temporary directory holding the layout (<see cref="Layout"/>) and its build files.</summary>
    public string Root { get; }

    public string Layout => Path.Combine(Root, "store");

    /// <param name="files">Paths inside the image (absolute) and their contents.</param>
    public static async Task<BusyboxImageStore> CreateAsync(string tag, IReadOnlyDictionary<string, string> files)
    {
        var root = Directory.CreateTempSubdirectory("broker-images-").FullName;
        var store = new BusyboxImageStore(root);
        var layer = Path.Combine(root, "layer");
        Directory.CreateDirectory(Path.Combine(layer, "bin"));
        File.Copy("/bin/busybox", Path.Combine(layer, "bin", "busybox"));
        var applets = (await RunAsync("/bin/busybox", "--list")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var applet in applets.Where(a => a != "busybox"))
        {
            File.CreateSymbolicLink(Path.Combine(layer, "bin", applet), "busybox");
        }
        foreach (var (path, content) in files)
        {
            var target = Path.Combine(layer, path.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllTextAsync(target, content);
        }
        await RunAsync("umoci", "init", "--layout", store.Layout);
        await RunAsync("umoci", "new", "--image", $"{store.Layout}:{tag}");
        await RunAsync("umoci", "insert", "--rootless", "--image", $"{store.Layout}:{tag}", layer, "/");
        // The store is read by the team users; its parents must let them through.
        await RunAsync("chmod", "-R", "a+rX", root);
        return store;
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await errors}");
    }

    /// <summary>Removes the store; a second call (a fixture disposed both ways) finds nothing to do.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
