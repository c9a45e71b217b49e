using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Scenarios;

/// <summary>Checks a scenario before anything runs, so mistakes fail with the field named.</summary>
internal static class ScenarioValidator
{
    public static void Validate(Scenario s, string path)
    {
        var problems = new List<string>();
        if (s.Trace.Format is not (ScenarioLoader.CsvFormat or ScenarioLoader.AlibabaFormat or ScenarioLoader.PhillyFormat))
        {
            problems.Add($"trace.format must be '{ScenarioLoader.CsvFormat}', '{ScenarioLoader.AlibabaFormat}' or '{ScenarioLoader.PhillyFormat}'");
        }
        if (s.Trace.Format == ScenarioLoader.PhillyFormat && s.Philly is null)
        {
            problems.Add("philly (the job mapping and throughputs file) is required for the gavel-philly format");
        }
        if (s.Estimates is { } e && (e.Mode is not (EstimateModes.Oracle or EstimateModes.BlueWaters or EstimateModes.Trace)
            || e.Mode == EstimateModes.BlueWaters && e.Path is null))
        {
            problems.Add("estimates.mode must be oracle, bluewaters (with estimates.path) or trace");
        }
        if (s.Trace.Format == ScenarioLoader.AlibabaFormat && s.Alibaba is null)
        {
            problems.Add("alibaba (the pod-to-job mapping) is required for the alibaba-openb format");
        }
        if (s.OnPrem.Nodes.Any(n => n.Count < 0 || n.GpusPerNode < 1))
        {
            problems.Add("onPrem.nodes: count must be >= 0 and gpusPerNode >= 1");
        }
        if (s.OnPrem.Nodes.Any(n => n.ShardsPerGpu < 0))
        {
            problems.Add("onPrem.nodes: shardsPerGpu must be >= 0");
        }
        if (s.Alibaba is { GpuShares: true } && s.OnPrem.Nodes.All(n => n.ShardsPerGpu == 0 || n.Count == 0))
        {
            problems.Add("alibaba.gpuShares needs onPrem.nodes with shardsPerGpu > 0 (the GPUs shares are packed on)");
        }
        if (s.OnPrem.Nodes.Any(n => n.Names is { } names && names.Count != n.Count))
        {
            problems.Add("onPrem.nodes: names, when given, must list exactly count names");
        }
        foreach (var o in s.Cloud.Offers)
        {
            if (o.Gpus < 1 || o.OnDemandPerHour <= 0 || o.SpotPerHour is <= 0)
            {
                problems.Add($"offer {o.Provider}/{o.Region}/{o.InstanceType}: gpus and prices must be positive");
            }
            if (o.SpotPerHour is not null && (o.SpotTrace is null || !s.SpotTraces.ContainsKey(o.SpotTrace)))
            {
                problems.Add($"offer {o.Provider}/{o.Region}/{o.Zone}/{o.InstanceType} has a spot price but its spotTrace '{o.SpotTrace}' is not in spotTraces");
            }
        }
        foreach (var (scope, p) in (s.Policy.Teams ?? new Dictionary<string, PolicySettings>()).Prepend(KeyValuePair.Create("default", s.Policy.Default)))
        {
            if (p.MaxWaitMinutes < 0 || p.MaxSlowdown is < 1 || p.WaitPricePerGpuHour is < 0 || p.SpotEscalateAfter is < 1
                || p.MaxPreemptionsPerJob is < 0)
            {
                problems.Add($"policy {scope}: maxWaitMinutes, waitPricePerGpuHour and maxPreemptionsPerJob must be >= 0, maxSlowdown and spotEscalateAfter >= 1");
            }
        }
        if (s.Simulation.PassIntervalS < 1 || s.Simulation.SampleIntervalS < 1)
        {
            problems.Add("simulation.passIntervalS and sampleIntervalS must be >= 1");
        }
        if (problems.Count > 0)
        {
            throw new TraceFormatException($"{path}: invalid scenario: {string.Join("; ", problems)}");
        }
    }
}
