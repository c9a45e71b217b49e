using System.Globalization;
using System.Text.RegularExpressions;
using Broker.Core.Provisioning;

namespace Broker.Providers.Simulated;

/// <summary>How long the job on a simulated instance runs and how it exits. Replace it in DI to drive runs another way.</summary>
public interface ISimulatedWorkload
{
    SimulatedRun Plan(InstanceRequest request);
}

/// <param name="Duration">Simulated run time from Running to the job's exit.</param>
public sealed record SimulatedRun(TimeSpan Duration, int ExitCode);

/// <summary>
/// Reads the run from the startup script, where the lifecycle can put it as environment assignments:
/// <c>BROKER_SIM_DURATION_SECONDS=5400</c> and <c>BROKER_SIM_EXIT_CODE=0</c>. Missing values fall back to the default
/// duration and exit code 0.
/// </summary>
public sealed partial class StartupScriptWorkload(TimeSpan defaultDuration) : ISimulatedWorkload
{
    public const string DurationVariable = "BROKER_SIM_DURATION_SECONDS";
    public const string ExitCodeVariable = "BROKER_SIM_EXIT_CODE";

    public SimulatedRun Plan(InstanceRequest request)
    {
        var duration = Value(request.StartupScript, DurationVariable) is { } seconds
            ? TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture))
            : defaultDuration;
        var exit = Value(request.StartupScript, ExitCodeVariable) is { } code ? int.Parse(code, CultureInfo.InvariantCulture) : 0;
        return new SimulatedRun(duration, exit);
    }

    private static string? Value(string script, string name)
    {
        foreach (Match match in Assignment().Matches(script))
        {
            if (match.Groups["name"].Value == name)
            {
                return match.Groups["value"].Value;
            }
        }
        return null;
    }

    [GeneratedRegex(@"(?<name>BROKER_SIM_[A-Z_]+)=[""']?(?<value>-?[0-9]+(\.[0-9]+)?)")]
    private static partial Regex Assignment();
}
