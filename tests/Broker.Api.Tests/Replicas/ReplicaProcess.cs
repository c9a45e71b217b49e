using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Broker.Api.Tests.Replicas;

/// <summary>
/// One real Broker process (the built Broker.Api.dll of this test run's configuration) on a free loopback port. Its
/// console output is kept (and written to a file beside the test database name) for counting and for diagnosis.
/// </summary>
public sealed class ReplicaProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Lock gate = new();

    private ReplicaProcess(Process process, int port, string name)
    {
        this.process = process;
        Port = port;
        Name = name;
    }

    public string Name { get; }

    public int Port { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string Output
    {
        get
        {
            lock (gate)
            {
                return output.ToString();
            }
        }
    }

    /// <param name="port">A port of its own (a restarted replica keeps its address, so scripts retrying to it reach it again); null takes a free one.</param>
    public static ReplicaProcess Start(string name, IReadOnlyDictionary<string, string> settings, int? port = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        port ??= FreePort();
        var dll = FindBrokerDll();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Lifecycle__CallbackBaseUrl"] = $"http://127.0.0.1:{port}/";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var replica = new ReplicaProcess(Process.Start(start)!, port.Value, name);
        replica.process.OutputDataReceived += (_, e) => replica.Append(e.Data);
        replica.process.ErrorDataReceived += (_, e) => replica.Append(e.Data);
        replica.process.BeginOutputReadLine();
        replica.process.BeginErrorReadLine();
        return replica;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (migrations done, database reachable).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(process.HasExited, $"{Name} exited with {(process.HasExited ? process.ExitCode : 0)}:\n{Tail()}");
            try
            {
                using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"{Name} did not become ready:\n{Tail()}");
            await Task.Delay(250);
        }
    }

    public int CountLines(string text) => Output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Each logged warning's first lines (the console logger writes the category after <c>warn:</c>, the message below).</summary>
    public IEnumerable<string> Warnings(int max)
    {
        var lines = Output.Split('\n');
        return lines.Select((line, i) => (line, i)).Where(l => l.line.Contains("warn:", StringComparison.Ordinal)).Take(max)
            .Select(l => string.Join(" | ", lines.Skip(l.i).Take(2).Select(x => x.Trim())));
    }

    public string Tail(int lines = 40) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (gate)
        {
            output.AppendLine(line);
        }
    }

    /// <summary>
    /// The API built for this test run: copied into the test's own output folder by the project reference (with its
    /// runtimeconfig), else the API project's output of the same configuration and target framework.
    /// </summary>
    private static string FindBrokerDll()
    {
        var here = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(here, "Broker.Api.dll")) && File.Exists(Path.Combine(here, "Broker.Api.runtimeconfig.json")))
        {
            return Path.Combine(here, "Broker.Api.dll");
        }
        var framework = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var configuration = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var built = Path.Combine(Testing.RepoPaths.Root, "src", "Broker.Api", "bin", configuration, framework, "Broker.Api.dll");
        return File.Exists(built) ? built : throw new InvalidOperationException("Broker.Api.dll not found beside the tests nor at " + built);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
