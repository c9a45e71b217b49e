namespace Broker.Bench.SubmitThroughput.Load;

/// <summary>A few submits one after the other, so their SQL can be read from the logs in order. Any failure stops the bench.</summary>
internal static class CaptureCommand
{
    public static async Task<int> RunAsync(CommandLine options)
    {
        var count = options.Number("count", 3);
        using var client = new SubmitClient(new Uri(options.Text("url")), options.Text("key"), 1);
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 1; i <= count; i++)
        {
            var id = $"capture-{run}-{i}";
            var (status, problem) = await client.SubmitAsync("bench-" + id, id, CancellationToken.None);
            if (problem is not null)
            {
                throw new InvalidDataException($"Capture submit {i} answered HTTP {status}: {problem}");
            }
        }
        await Console.Error.WriteLineAsync($"captured {count} submits");
        return 0;
    }
}
