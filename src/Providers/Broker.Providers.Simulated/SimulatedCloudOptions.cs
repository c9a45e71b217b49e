namespace Broker.Providers.Simulated;

/// <summary>
/// Configuration section <c>Providers:Simulated</c>. Durations are simulated time; <see cref="TimeScale"/> says how many
/// simulated seconds pass per second of the injected <see cref="TimeProvider"/> (60 turns a one-hour job into a minute).
/// </summary>
public sealed class SimulatedCloudOptions
{
    public const string SectionName = "Providers:Simulated";

    /// <summary>Time from create to Running.</summary>
    public TimeSpan ProvisioningDelay { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Most live instances per offer (region, instance type, market); one more gets the cloud's capacity error.</summary>
    public int CapacityPerOffer { get; set; } = 8;

    /// <summary>Spot interruption hazard per instance-hour for every offer; null uses each offer's catalog estimate.
    /// Ignored when <see cref="AvailabilityTracePath"/> is set.</summary>
    public double? SpotInterruptionsPerHour { get; set; }

    /// <summary>A Can't-Be-Late availability trace (JSON); when set, spot availability follows it instead of a rate.</summary>
    public string? AvailabilityTracePath { get; set; }

    /// <summary>Seed of the random draws (each cloud derives its own from it), so a run can be repeated exactly.</summary>
    public int Seed { get; set; } = 1;

    public double TimeScale { get; set; } = 1;

    /// <summary>How long a job runs when its startup script does not say (see <see cref="StartupScriptWorkload"/>).</summary>
    public TimeSpan DefaultJobDuration { get; set; } = TimeSpan.FromHours(1);

    internal TimeSpan ToClock(TimeSpan simulated) => simulated / TimeScale;

    internal TimeSpan ToSimulated(TimeSpan clock) => clock * TimeScale;

    internal void Validate()
    {
        if (TimeScale <= 0 || double.IsNaN(TimeScale) || CapacityPerOffer < 0 || ProvisioningDelay < TimeSpan.Zero
            || SpotInterruptionsPerHour < 0 || DefaultJobDuration < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}: TimeScale must be > 0; capacity, delays and rates must not be negative");
        }
    }
}
