using Microsoft.Extensions.Logging;

namespace Broker.Providers.Slurm;

/// <summary>
/// Logs a slurmrestd problem once when it starts (or turns into another kind of problem), and once when calls succeed
/// again, instead of once per poll. Messages come from <see cref="Rest.SlurmApiException"/> and never contain the token.
/// </summary>
internal sealed class SlurmHealthLog
{
    private readonly Lock _gate = new();
    private string? _currentProblem;
    private bool _currentIsConfigurationError;

    public void Failed(ILogger logger, string problem, bool isConfigurationError)
    {
        lock (_gate)
        {
            if (_currentProblem is not null && _currentIsConfigurationError == isConfigurationError)
            {
                return;
            }
            (_currentProblem, _currentIsConfigurationError) = (problem, isConfigurationError);
        }
        if (isConfigurationError)
        {
            logger.LogError("Slurm cluster configuration error, on-prem capacity unavailable until fixed: {Problem}", problem);
        }
        else
        {
            logger.LogWarning("Slurm cluster unavailable: {Problem}", problem);
        }
    }

    public void Succeeded(ILogger logger)
    {
        string? previous;
        lock (_gate)
        {
            previous = _currentProblem;
            _currentProblem = null;
        }
        if (previous is not null)
        {
            logger.LogInformation("Slurm cluster reachable again (was: {Problem})", previous);
        }
    }
}
