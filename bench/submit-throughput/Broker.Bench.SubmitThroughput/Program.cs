using Broker.Bench.SubmitThroughput;
using Broker.Bench.SubmitThroughput.Derivation;
using Broker.Bench.SubmitThroughput.Load;

// Driven by run.sh:  load | capture | script  (see README.md).
try
{
    var options = CommandLine.Parse(args.Skip(1));
    return args.FirstOrDefault() switch
    {
        "load" => await LoadCommand.RunAsync(options),
        "capture" => await CaptureCommand.RunAsync(options),
        "script" => ScriptCommand.Run(options),
        _ => Usage(),
    };
}
catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or HttpRequestException)
{
    await Console.Error.WriteLineAsync($"submit-throughput: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          load    --url U --key K [--seconds 20] [--concurrency 16]
          capture --url U --key K [--count 3]
          script  --ef-log F --pg-log F [--pg-log-offset 0] [--request-path /v1/jobs] --out F --defines F
        """);
    return 2;
}
