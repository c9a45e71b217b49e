using Broker.Core.Capacity;
using System.Text.Json;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Broker.Core.Scheduling;

namespace Broker.Api.Contracts;

public static class JobMapping
{
    public static JobSubmission ToSubmission(this SubmitJobRequest r) => new(
        r.Name,
        r.Gpu.Count,
        [.. (r.Gpu.Models ?? []).Select(GpuModels.Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        r.Gpu.MinMemoryGb,
        r.CpuCores,
        r.MemoryGb,
        r.Image,
        r.Command,
        TimeSpan.FromMinutes(r.EstimatedDurationMinutes),
        r.Deadline?.ToUniversalTime(),
        r.Priority,
        r.Spot?.Allowed ?? false,
        r.Spot?.CheckpointIntervalMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
        r.MaxPricePerGpuHour,
        r.Labels ?? [],
        r.Gpu.Share,
        r.Gpu.MigProfile,
        Env: r.Env ?? [],
        SecretEnv: r.SecretEnv ?? []);

    public static JobResponse ToResponse(this Job j, bool withTimeline) => new(
        j.Id,
        j.Team,
        j.Name,
        Wire(j.State),
        new GpuRequestDto(j.Gpu.Count, [.. j.Gpu.Models], j.Gpu.MinMemoryGb, j.Gpu.Share, j.Gpu.MigProfile),
        j.CpuCores,
        j.MemoryGb,
        j.Image,
        j.Command,
        (int)j.EstimatedDuration.TotalMinutes,
        j.Deadline,
        j.Priority,
        new SpotDto(j.SpotAllowed, j.CheckpointInterval is { } c ? (int)c.TotalMinutes : null),
        j.MaxPricePerGpuHour is { } price ? Money.Trim(price) : null,
        j.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Value),
        j.SubmittedAt,
        j.UpdatedAt,
        withTimeline ? [.. j.Events.OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new JobEventResponse(e.At, Wire(e.Kind), e.Message))] : null,
        j.Attempts,
        j.Interruptions,
        (int)j.SavedProgress.TotalMinutes,
        withTimeline && j.LatestExplanation is { } explanation ? JsonSerializer.Deserialize<DecisionView>(explanation, Web) : null,
        Env: Sorted(j.Env),
        SecretEnv: Sorted(j.SecretEnv));

    private static SortedDictionary<string, string> Sorted(Dictionary<string, string> map) => new(map, StringComparer.Ordinal);

    public static JobResponse WithSegments(this JobResponse job, IEnumerable<Allocation> allocations) => job with
    {
        Segments = [.. allocations.OrderBy(a => a.CreatedAt).Select(a => new SegmentResponse(a.Id, a.IsOnPrem ? "onprem" : "cloud", a.Node,
            a.Provider, a.Region, a.Zone, a.InstanceType, Wire(a.Market), a.GpuModel, a.Gpus, Money.Trim(a.PricePerHour), Wire(a.State),
            a.End is { } end ? Wire(end) : null, a.EndReason, a.CreatedAt, a.StartedAt, a.EndedAt,
            MemberNodes: a.MemberNodes is { Count: > 1 } members ? members : null,
            Instances: a.IsCloudGang ? a.InstanceCount : null, MemberInstances: a.IsCloudGang ? a.MemberInstanceIds : null,
            MemberEnds: a is { IsCloudGang: true, End: not null } ? [.. CloudGang.MemberEnds(a)
                .Select(m => new MemberEndResponse(m.Member, m.InstanceId, m.End is { } memberEnd ? Wire(memberEnd) : null, m.Reason))] : null))],
    };

    public static JobResponse WithCost(this JobResponse job, Core.Costs.JobCost cost) => job with
    {
        Cost = new JobCostResponse(Money.Trim(cost.SoFar), Money.Trim(cost.OnDemandEquivalent), Money.Trim(cost.OnDemandEquivalent - cost.SoFar),
            cost.EstimateAtPlacement is { } first ? Money.Trim(first) : null, cost.LatestEstimate is { } latest ? Money.Trim(latest) : null,
            cost.Entries, cost.Final),
    };

    public static JobResponse WithRuntime(this JobResponse job, Core.Prediction.JobRuntimePrediction? p) => p is null ? job : job with
    {
        Runtime = new RuntimePredictionResponse(Minutes(p.Median), Minutes(p.Low), Minutes(p.High), p.IntervalCoverage, p.Basis, p.PredictedAt,
            p.Actual is { } a ? Minutes(a) : null, p.Actual is { } b ? Minutes(p.Median - b) : null,
            p.Actual is { } c && c > TimeSpan.Zero ? Math.Round((p.Median - c) / c, 4) : null,
            p.Actual is { } d ? p.Low <= d && d <= p.High : null),
    };

    private static double Minutes(TimeSpan t) => Math.Round(t.TotalMinutes, 2);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static string Wire<T>(T value) where T : struct, Enum => JsonNaming.Wire(value);
}
