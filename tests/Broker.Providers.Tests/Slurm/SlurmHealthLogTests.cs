using Broker.Providers.Slurm;
using Microsoft.Extensions.Logging;

namespace Broker.Providers.Tests.Slurm;

public sealed class SlurmHealthLogTests
{
    [Fact]
    public void Logs_each_kind_of_problem_once_and_recovery_once()
    {
        var logs = new CapturedLogs();
        var logger = logs.CreateLogger("slurm");
        var health = new SlurmHealthLog();

        health.Failed(logger, "cannot reach slurmrestd", isConfigurationError: false);
        health.Failed(logger, "cannot reach slurmrestd", isConfigurationError: false);
        health.Failed(logger, "did not answer within 10 s", isConfigurationError: false);
        health.Failed(logger, "the Slurm token expired", isConfigurationError: true);
        health.Failed(logger, "the Slurm token expired", isConfigurationError: true);
        health.Succeeded(logger);
        health.Succeeded(logger);

        Assert.Equal([LogLevel.Warning, LogLevel.Error, LogLevel.Information], logs.Entries.Select(e => e.Level));
        Assert.Contains("token expired", logs.Entries.Last().Message, StringComparison.Ordinal);
    }
}
