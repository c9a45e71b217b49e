namespace Broker.Cli;

/// <summary>The documented exit codes (README, "The broker CLI"). Scripts branch on these, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Broker answered with a problem document (4xx/5xx): refused, not found, conflict, invalid.</summary>
    public const int Refused = 1;

    /// <summary>The command line or the job file is wrong, or there is no login: nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>Broker could not be reached (connection refused, DNS, TLS, timeout, a stream cut off).</summary>
    public const int Unreachable = 3;

    /// <summary><c>submit --wait</c>: the job ended failed or cancelled.</summary>
    public const int JobFailed = 4;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
