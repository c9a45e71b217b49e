using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Broker.Providers.Tests.Slurm;

/// <summary><c>scripts/slurm.sh start</c> against ports another process holds: it refuses before it writes or starts anything.</summary>
public sealed class SlurmScriptPortTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"broker-slurm-ports-{Guid.NewGuid():N}");
    private readonly List<TcpListener> held = [];

    public void Dispose()
    {
        held.ForEach(l => l.Stop());
        File.Delete(dir + ".lock");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Start_refuses_ports_held_by_another_process_and_names_each_one()
    {
        var ctld = Hold(IPAddress.Loopback);
        var secondSlurmd = Hold(IPAddress.Any);
        var rest = Hold(IPAddress.Loopback);

        var (exitCode, output) = await StartAsync(ctld, secondSlurmd - 1, rest);

        Assert.True(exitCode == 3, output);
        Assert.Contains($"slurmctld port {ctld} is held by", output, StringComparison.Ordinal);
        Assert.Contains($"slurmd gpu-h100-2 port {secondSlurmd} is held by", output, StringComparison.Ordinal);
        Assert.Contains($"slurmrestd port {rest} is held by", output, StringComparison.Ordinal);
        Assert.Contains($"pid={Environment.ProcessId}", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "slurm.conf")), "nothing may be written before the ports are checked");
    }

    private int Hold(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        held.Add(listener);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<(int ExitCode, string Output)> StartAsync(int ctldPort, int slurmdBase, int restPort)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(SlurmClusterFixture.RepoRoot, "scripts", "slurm.sh"));
        start.ArgumentList.Add("start");
        start.ArgumentList.Add(dir);
        start.Environment["BROKER_SLURMCTLD_PORT"] = ctldPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["BROKER_SLURMD_PORT_BASE"] = slurmdBase.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["BROKER_SLURMREST_PORT"] = restPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
