using System.Security.Cryptography;
using System.Text;

namespace Broker.Core.Jobs;

/// <summary>A stable hash of a submission, so a repeated Idempotency-Key can be told apart from a different body.</summary>
public static class SubmissionFingerprint
{
    public static string Of(JobSubmission s)
    {
        var text = new StringBuilder()
            .Append(s.Name).Append('\n')
            .Append(s.GpuCount).Append('|').AppendJoin(',', s.GpuModels).Append('|').Append(s.MinGpuMemoryGb).Append('\n')
            .Append(s.CpuCores).Append('|').Append(s.MemoryGb).Append('\n')
            .Append(s.Image).Append('\n')
            .AppendJoin('\u001f', s.Command).Append('\n')
            .Append(s.EstimatedDuration.Ticks).Append('|').Append(s.Deadline?.UtcTicks).Append('|').Append(s.Priority).Append('\n')
            .Append(s.SpotAllowed).Append('|').Append(s.CheckpointInterval?.Ticks).Append('|')
            .Append(s.MaxPricePerGpuHour?.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n')
            .AppendJoin('\u001f', s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))
            .Append(s.GpuShare is null && s.GpuMigProfile is null ? ""
                : $"\nshare={s.GpuShare?.ToString(System.Globalization.CultureInfo.InvariantCulture)}|mig={s.GpuMigProfile}")
            .Append(s.Env is not { Count: > 0 } && s.SecretEnv is not { Count: > 0 } ? "" : "\nenv=" + Pairs(s.Env) + "\nsecretEnv=" + Pairs(s.SecretEnv))
            .ToString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Pairs(IReadOnlyDictionary<string, string>? pairs) =>
        string.Join('\u001f', (pairs ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
