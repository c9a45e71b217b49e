namespace Broker.Cli;

/// <summary>The process entry (a named class, not top-level statements, so tests can reference both this and Broker.Api's Program).</summary>
public static class EntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C stops what the CLI is doing (never the job in Broker); a second one ends the process at once.
            e.Cancel = !interrupted.IsCancellationRequested;
            interrupted.Cancel();
        };
        return await CliApp.RunAsync(args, CliEnvironment.FromProcess(), interrupted.Token);
    }
}
