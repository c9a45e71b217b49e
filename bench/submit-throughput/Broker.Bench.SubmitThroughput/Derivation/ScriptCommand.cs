using System.Text;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>Derives the pgbench script from the capture run's EF Core log and PostgreSQL log.</summary>
internal static class ScriptCommand
{
    public static int Run(CommandLine options)
    {
        var requests = EfCommandLog.Read(File.ReadLines(options.Text("ef-log")), options.Text("request-path", "/v1/jobs"));
        if (requests.Count == 0)
        {
            throw new InvalidDataException("The EF Core log holds no commands of captured requests (is command logging on?).");
        }
        var shape = SubmitShape.Of(requests[0]);
        if (requests.FirstOrDefault(r => SubmitShape.Of(r).Signature != shape.Signature) is { } odd)
        {
            throw new InvalidDataException($"Request {odd.RequestId} issued different SQL than {requests[0].RequestId}; captures must be alike.");
        }
        var executes = PostgresLog.ReadExecutes(ReadFrom(options.Text("pg-log"), options.Number("pg-log-offset", 0L)));
        var values = CapturedValues.Match(shape, requests.Count, executes);
        var script = PgbenchScript.Render(shape, BindingPlanner.Plan(shape, values), requests.Count);
        File.WriteAllText(options.Text("out"), script.Text);
        // NUL-separated name=value, read by run.sh with `mapfile -d ''`: values may hold any character but NUL.
        File.WriteAllText(options.Text("defines"), string.Concat(script.Defines.Select(d => $"{d.Key}={d.Value}\0")));
        Console.Error.WriteLine($"derived {shape.Statements.Count()} statements in {shape.RoundTrips.Count} round trips from {requests.Count} captured submits");
        return 0;
    }

    private static IEnumerable<string> ReadFrom(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
