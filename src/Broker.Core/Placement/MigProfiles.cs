using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Core.Placement;

/// <summary>What the engine knows of a MIG profile (<c>3g.40gb</c>: 3 of a GPU's 7 compute slices, 40 GB).</summary>
public static partial class MigProfiles
{
    /// <summary>The profile's GPU memory in GB; 0 for no profile.</summary>
    public static int MemoryGb(string? profile) =>
        profile is not null && Profile().Match(profile) is { Success: true } m ? int.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture) : 0;

    /// <summary>True for a MIG profile name (how a MIG allocation's GPU model reads).</summary>
    public static bool IsProfile(string? name) => name is not null && Profile().IsMatch(name);

    /// <summary>The part of one GPU a slice of the profile is billed as: its compute slices out of 7.</summary>
    public static decimal GpuFraction(string profile) =>
        Profile().Match(profile) is { Success: true } m ? Math.Round(int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) / 7m, 4) : 1m;

    [GeneratedRegex(@"^([1-7])g\.([0-9]{1,3})gb\z", RegexOptions.IgnoreCase)]
    private static partial Regex Profile();
}
