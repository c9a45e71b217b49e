using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Slurm;

/// <summary>Builds the v0.0.38 batch submission for a Broker job request.</summary>
internal static class SlurmSubmissionBuilder
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static SlurmJobSubmission Build(OnPremJobRequest request, string gresType, SlurmOptions options)
    {
        // slurmrestd rejects a job without environment; PATH lets a plain bash script find its tools.
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = DefaultPath };
        foreach (var (key, value) in request.Environment)
        {
            environment[key] = value;
        }
        environment["BROKER_ALLOCATION_ID"] = request.AllocationId.ToString("D");
        environment["BROKER_JOB_ID"] = request.JobId.ToString("D");
        var gres = gresType.Length == 0 ? $"gpu:{request.Gpus}" : $"gpu:{gresType}:{request.Gpus}";
        var job = new SlurmJobProperties(SlurmJobNames.For(request.AllocationId), options.Partition, gres, request.Node,
            TimeLimitMinutes(request.TimeLimit), options.WorkingDirectory, environment);
        var script = request.Script.StartsWith("#!", StringComparison.Ordinal) ? request.Script : "#!/bin/bash\n" + request.Script;
        return new SlurmJobSubmission(job, script);
    }

    public static int TimeLimitMinutes(TimeSpan limit) =>
        (int)Math.Clamp(Math.Ceiling(limit.TotalMinutes), 1, int.MaxValue - 1);

    /// <summary>
    /// The node's own gres type for the requested model: an exact match (<c>h100</c>) or the same normalized model
    /// (<c>H100-80GB</c>); "" for a node whose GPUs carry no type; null when the node has no such GPUs.
    /// </summary>
    public static string? ResolveGresType(IReadOnlyList<GresEntry> nodeGres, string requestedModel)
    {
        var gpus = nodeGres.Where(SlurmNodeMapper.IsGpu).ToList();
        var exact = gpus.FirstOrDefault(g => string.Equals(g.Type, requestedModel, StringComparison.OrdinalIgnoreCase));
        if (exact?.Type is not null)
        {
            return exact.Type;
        }
        var normalized = GpuModels.Normalize(requestedModel);
        var sameModel = gpus.FirstOrDefault(g => g.Type is not null && GpuModels.Normalize(g.Type) == normalized);
        if (sameModel?.Type is not null)
        {
            return sameModel.Type;
        }
        return gpus.Count > 0 && gpus.All(g => g.Type is null)
            && (normalized == SlurmNodeMapper.UntypedGpuModel || string.IsNullOrWhiteSpace(requestedModel)) ? "" : null;
    }
}
