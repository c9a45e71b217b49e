using System.CommandLine;
using Broker.Cli.Api;
using Broker.Cli.Commands;

namespace Broker.Cli;

/// <summary>The <c>broker</c> command tree and the one place that turns failures into messages and exit codes.</summary>
public static class CliApp
{
    public static RootCommand Build(CliSession session)
    {
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Say more (e.g. the Idempotency-Key of a submit)", Recursive = true };
        return new RootCommand("broker: submit GPU jobs to Broker and follow them (exit codes: 0 ok, 1 Broker refused, 2 usage, 3 Broker unreachable, 4 job failed under --wait)")
        {
            verbose,
            LoginCommand.Build(session),
            SubmitCommand.Build(session, verbose),
            JobsCommand.Build(session),
            StatusCommand.Build(session),
            LogsCommand.Build(session),
            CancelCommand.Build(session),
            CostCommand.Build(session),
            OffersCommand.Build(session),
        };
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken ct = default)
    {
        var session = new CliSession(environment);
        var parse = Build(session).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                environment.Error.WriteLine("error: " + error.Message);
            }
            environment.Error.WriteLine("Run 'broker --help' (or 'broker <command> --help') for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = environment.Out,
                Error = environment.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, ct);
        }
        catch (UsageException e)
        {
            environment.Error.WriteLine("error: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (ApiRefusedException e)
        {
            ProblemWriter.Write(environment.Error, e);
            return ExitCodes.Refused;
        }
        catch (BrokerUnreachableException e)
        {
            environment.Error.WriteLine("error: " + e.Message);
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            environment.Error.WriteLine("Interrupted.");
            return ExitCodes.Interrupted;
        }
    }
}
