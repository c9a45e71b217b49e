namespace Broker.Core.Costs;

public enum BillingRounding
{
    /// <summary>Billed exactly as long as it ran (on-prem chargeback).</summary>
    Exact,
    /// <summary>A started increment is billed whole.</summary>
    Up,
    /// <summary>Only whole increments are billed.</summary>
    Down,
}

/// <summary>
/// How a provider turns an instance's running time into billed time. Sources are in docs/costs.md.
/// </summary>
/// <param name="MinimumSeconds">Billed at least this long once it ran at all.</param>
/// <param name="IncrementSeconds">Billing granularity; ignored for <see cref="BillingRounding.Exact"/>.</param>
/// <param name="SpotInterruptedInFirstHourFree">The provider does not charge a spot instance it interrupts within its first hour (EC2, Linux).</param>
public sealed record BillingRule(string Provider, int MinimumSeconds, int IncrementSeconds, BillingRounding Rounding,
    bool SpotInterruptedInFirstHourFree, string Source)
{
    public static readonly BillingRule Aws = new("aws", 60, 1, BillingRounding.Up, true,
        "https://aws.amazon.com/about-aws/whats-new/2017/10/announcing-amazon-ec2-per-second-billing/");

    public static readonly BillingRule Gcp = new("gcp", 60, 1, BillingRounding.Up, false,
        "https://cloud.google.com/compute/vm-instance-pricing (billing model)");

    public static readonly BillingRule Azure = new("azure", 0, 60, BillingRounding.Down, false,
        "https://azure.microsoft.com/en-us/resources/knowledge-center/if-my-virtual-machine-ran-for-6-minutes-and-45/");

    public static readonly BillingRule OnPrem = new("slurm", 0, 0, BillingRounding.Exact, false, "Broker chargeback: pro rata per second");

    /// <summary>Any other cloud: per second, a started second billed whole, no minimum.</summary>
    public static BillingRule Default(string provider) => new(provider, 0, 1, BillingRounding.Up, false, "Broker default: per second");

    public static BillingRule For(string provider) => provider switch
    {
        "aws" => Aws,
        "gcp" => Gcp,
        "azure" => Azure,
        "slurm" => OnPrem,
        _ => Default(provider),
    };

    /// <summary>Billed seconds for <paramref name="ranSeconds"/> of running time (0 when it never ran).</summary>
    public decimal BilledSeconds(decimal ranSeconds)
    {
        if (ranSeconds <= 0)
        {
            return 0;
        }
        var billed = Rounding switch
        {
            BillingRounding.Up => Math.Ceiling(ranSeconds / IncrementSeconds) * IncrementSeconds,
            BillingRounding.Down => Math.Floor(ranSeconds / IncrementSeconds) * IncrementSeconds,
            _ => ranSeconds,
        };
        return Math.Max(billed, MinimumSeconds);
    }
}
