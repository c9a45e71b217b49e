using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Output;

/// <summary>One class of a replay's cloud spend: the job's shape, where its GPU models exist, the market and why it burst.</summary>
/// <param name="Shape"><see cref="CloudSpendClasses.Fractional"/> or <see cref="CloudSpendClasses.Whole"/>, by what the job asks
/// in the trace (a fractional job rounded up to a whole GPU is still fractional), so two runs of one trace compare row by row.</param>
public sealed record SpendClass(string Shape, string Models, string Market, string Reason);

/// <summary>What one class spent: jobs, cloud runs and USD.</summary>
public sealed record ClassSpend(int Jobs, int Runs, decimal Spend);

/// <summary>
/// A replay's cloud spend per job class (issue 14: where the spend goes, so what sharing can reach): fractional or whole
/// GPU, whether the job's acceptable models exist on-prem, in the cloud or both, spot or on-demand, and the reason in the
/// engine's own explanation of the launch.
/// </summary>
public static class CloudSpendClasses
{
    public const string Fractional = "fractional";
    public const string Whole = "whole";
    public const string AnyModel = "any model";
    public const string OnPremAndCloud = "models on-prem and in the cloud";
    public const string CloudOnly = "models with no on-prem node";
    public const string OnPremOnly = "models with no cloud offer";
    public const string WaitLimit = "wait limit (max wait and slowdown)";
    public const string Deadline = "deadline";
    public const string WaitPrice = "price of waiting";
    public const string NoOnPremOption = "no on-prem option";

    /// <param name="jobs">The trace's jobs with their shares (the shared scenario's), to class both runs alike.</param>
    public static IReadOnlyDictionary<SpendClass, ClassSpend> Of(Scenario scenario, IReadOnlyList<TraceJob> jobs, ReplayResult result)
    {
        var byId = jobs.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        var onPrem = scenario.OnPrem.Nodes.Select(n => n.GpuModel).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var cloud = scenario.Cloud.Offers.Select(o => o.GpuModel).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return result.Segments.Where(s => s.Location == "cloud")
            .GroupBy(s => new SpendClass(byId[s.JobId].GpuShare is null ? Whole : Fractional, ModelsOf(byId[s.JobId], onPrem, cloud),
                s.Market, ReasonOf(s.Why)))
            .ToDictionary(g => g.Key, g => new ClassSpend(g.Select(s => s.JobId).Distinct(StringComparer.Ordinal).Count(), g.Count(), g.Sum(s => s.Cost)));
    }

    /// <summary>Where the job's acceptable GPU models exist.</summary>
    public static string ModelsOf(TraceJob job, IReadOnlySet<string> onPremModels, IReadOnlySet<string> cloudModels)
    {
        if (job.GpuModels.Count == 0)
        {
            return AnyModel;
        }
        var onPrem = job.GpuModels.Any(onPremModels.Contains);
        var cloud = job.GpuModels.Any(cloudModels.Contains);
        return onPrem && cloud ? OnPremAndCloud : cloud ? CloudOnly : OnPremOnly;
    }

    /// <summary>Why the broker launched, read from its explanation ("cloud …, expected $…: why; least expected cost").</summary>
    public static string ReasonOf(string why) =>
        why.Contains("price of waiting", StringComparison.Ordinal) ? WaitPrice
        : why.Contains("would miss the deadline", StringComparison.Ordinal) ? Deadline
        : why.Contains("max wait", StringComparison.Ordinal) ? WaitLimit
        : NoOnPremOption;
}
