using System.Text.RegularExpressions;
using Broker.Api.Input;
using Broker.Core.Capacity;
using Broker.Core.Jobs;

namespace Broker.Api.Contracts;

/// <summary>Checks that data annotations cannot express; returns field errors keyed by JSON path.</summary>
public static partial class SubmitJobRules
{
    public const int MaxLabels = 32;
    public static readonly TimeSpan MaxDeadlineAhead = TimeSpan.FromDays(366);

    public static Dictionary<string, string[]> Check(SubmitJobRequest r, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (model, index) in (r.Gpu.Models ?? []).Select((m, i) => (m, i)))
        {
            if (string.IsNullOrWhiteSpace(model) || !GpuModels.IsKnown(model))
            {
                errors[$"gpu.models[{index}]"] = [$"Unknown GPU model '{model}'. Known models: {string.Join(", ", GpuModels.All)}."];
            }
        }
        if (r.Image is not null && !ImageReference.TryParse(r.Image, out _, out var imageError))
        {
            errors["image"] = [$"{imageError} {ImageReference.Rule}"];
        }
        if (r.Command.Any(string.IsNullOrEmpty) || r.Command.Any(c => c.Length > 4096))
        {
            errors["command"] = ["Command arguments must be non-empty and at most 4096 characters."];
        }
        var labels = r.Labels ?? [];
        if (labels.Count > MaxLabels)
        {
            errors["labels"] = [$"At most {MaxLabels} labels."];
        }
        foreach (var (key, value) in labels)
        {
            if (!LabelKey().IsMatch(key))
            {
                errors[$"labels.{key}"] = ["Label keys are 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."];
            }
            else if (value is null || value.Length > 128 || !TextRules.IsSingleLine(value))
            {
                errors[$"labels.{key}"] = ["Label values are at most 128 characters of single-line text. " + TextRules.SingleLineRule];
            }
        }
        JobEnvRules.Check(r.Env, r.SecretEnv, errors);
        if (r.Deadline is { } deadline && deadline <= now + TimeSpan.FromMinutes(r.EstimatedDurationMinutes))
        {
            errors["deadline"] = ["The deadline must leave room for the estimated duration after now."];
        }
        else if (r.Deadline is { } far && far > now + MaxDeadlineAhead)
        {
            // Also keeps DateTimeOffset.MaxValue (which Npgsql stores as infinity) out of placement arithmetic.
            errors["deadline"] = [$"The deadline is at most {MaxDeadlineAhead.TotalDays:0} days ahead."];
        }
        return errors;
    }

    // \z, not $: $ also matches before a final line feed.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,62}\z")]
    private static partial Regex LabelKey();
}
