using System.Text.RegularExpressions;
using Broker.Core.Errors;

namespace Broker.Api.Contracts;

/// <summary>The rules of a fractional GPU request (<c>gpu.share</c>, <c>gpu.migProfile</c>): well-formed JSON that breaks them is a 422.</summary>
public static partial class GpuShapeRules
{
    public const string MigProfileRule = "A MIG profile is '<slices>g.<memory>gb' with 1-7 compute slices, for example '1g.10gb' or '3g.40gb'.";

    public const int MaxShareDecimals = 4;

    public static Dictionary<string, string[]> Check(GpuRequestDto gpu)
    {
        var errors = new Dictionary<string, string[]>();
        if (gpu.Share is { } share)
        {
            if (share <= 0m || share >= 1m)
            {
                errors["gpu.share"] = ["A share is a fraction of one GPU: greater than 0 and less than 1 (ask for whole GPUs with gpu.count)."];
            }
            else if (decimal.Round(share, MaxShareDecimals) != share)
            {
                errors["gpu.share"] = [$"A share has at most {MaxShareDecimals} decimal places."];
            }
            else if (gpu.Count != 1)
            {
                errors["gpu.share"] = ["A share is a fraction of one GPU; it needs gpu.count 1."];
            }
            else if (gpu.MigProfile is not null)
            {
                errors["gpu.share"] = ["Ask for a share or a MIG profile, not both."];
            }
        }
        if (gpu.MigProfile is { } profile)
        {
            if (!MigProfile().IsMatch(profile))
            {
                errors["gpu.migProfile"] = [MigProfileRule];
            }
            else if (gpu.Count != 1)
            {
                errors["gpu.migProfile"] = ["A MIG profile is a slice of one GPU; it needs gpu.count 1."];
            }
        }
        return errors;
    }

    public static void Enforce(GpuRequestDto gpu)
    {
        var errors = Check(gpu);
        if (errors.Count > 0)
        {
            throw new RuleViolationException("The GPU request's share or MIG profile is not valid.", errors);
        }
    }

    // \z, not $: $ also matches before a final line feed.
    [GeneratedRegex(@"^[1-7]g\.[0-9]{1,3}gb\z")]
    private static partial Regex MigProfile();
}
