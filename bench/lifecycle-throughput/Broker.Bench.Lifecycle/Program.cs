using Broker.Bench.Lifecycle;

// Driven by run.sh:  submit | noop  (see ../README.md). Figures go to stdout as key=value lines.
try
{
    var options = Options.Parse(args.Skip(1));
    return args.FirstOrDefault() switch
    {
        "submit" => await Submitter.RunAsync(options),
        "noop" => await NoopRate.RunAsync(options),
        _ => Usage(),
    };
}
catch (Exception e) when (e is ArgumentException or HttpRequestException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync($"lifecycle-throughput: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          submit --url U --key K --count N [--concurrency 16] [--prefix lt]
          noop   --connection C --count N [--workers 4] [--schema hangfire_noop]
        """);
    return 2;
}
