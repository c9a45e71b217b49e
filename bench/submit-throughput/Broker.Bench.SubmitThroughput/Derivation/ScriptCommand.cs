using System.Text;

namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>Writes the pgbench script and its -D values derived from the capture run's EF Core log and PostgreSQL log.</summary>
internal static class ScriptCommand
{
    public static int Run(CommandLine options)
    {
        var (script, shape, captured) = ScriptDerivation.Derive(
            File.ReadLines(options.Text("ef-log")),
            ReadFrom(options.Text("pg-log"), options.Number("pg-log-offset", 0L)),
            options.Text("request-path", "/v1/jobs"));
        File.WriteAllText(options.Text("out"), script.Text);
        // NUL-separated name=value, read by run.sh with `mapfile -d ''`: values may hold any character but NUL.
        File.WriteAllText(options.Text("defines"), string.Concat(script.Defines.Select(d => $"{d.Key}={d.Value}\0")));
        Console.Error.WriteLine($"derived {shape.Statements.Count()} statements in {shape.RoundTrips.Count} round trips from {captured} captured submits");
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
