using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Core.Placement;

/// <summary>What the engine knows of a MIG profile (<c>3g.40gb</c>: 3 compute slices, 40 GB) until it places MIG slices on-prem.</summary>
public static partial class MigProfiles
{
    public const string NotPlacedOnPrem =
        "MIG profiles are not placed on-prem by the engine yet (ADR 0011); the job runs on the cheapest one-GPU cloud instance with the profile's memory";

    /// <summary>The profile's GPU memory in GB; 0 for no profile.</summary>
    public static int MemoryGb(string? profile) =>
        profile is not null && Profile().Match(profile) is { Success: true } m ? int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : 0;

    public static string? OnPremRefusal(string? profile) => profile is null ? null : NotPlacedOnPrem;

    [GeneratedRegex(@"^[1-7]g\.([0-9]{1,3})gb\z")]
    private static partial Regex Profile();
}
