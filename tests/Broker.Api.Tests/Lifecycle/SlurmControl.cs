using System.Diagnostics;
using System.Text.RegularExpressions;
using Broker.Testing;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>Slurm's own tools on the test cluster, for what Broker must not be asked (its state) or must not do (behind its back).</summary>
public static partial class SlurmControl
{
    /// <summary>The job's <c>JobState</c> as <c>scontrol show job</c> reports it, or null once slurmctld does not know the id.</summary>
    public static async Task<string?> StateAsync(string jobId)
    {
        var (code, output) = await RunAsync("scontrol", "show", "job", "-o", jobId);
        return code == 0 && JobState().Match(output) is { Success: true } m ? m.Groups[1].Value
            : output.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? null
            : throw new InvalidOperationException($"scontrol show job {jobId} failed: {output}");
    }

    /// <summary>Cancels the job as an operator would with <c>scancel</c>.</summary>
    public static Task CancelAsync(string jobId) => CheckedAsync("scancel", jobId);

    /// <summary>Renames the job (<c>scontrol update</c>), so no job carries its old name any more.</summary>
    public static Task RenameAsync(string jobId, string name) => CheckedAsync("scontrol", "update", $"jobid={jobId}", $"jobname={name}");

    private static async Task CheckedAsync(string tool, params string[] args)
    {
        var (code, output) = await RunAsync(tool, args);
        Assert.True(code == 0, $"{tool} {string.Join(' ', args)} failed: {output}");
    }

    private static async Task<(int Code, string Output)> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["SLURM_CONF"] = Path.Combine(SlurmServer.Directory, "slurm.conf");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"\bJobState=(\S+)")]
    private static partial Regex JobState();
}
