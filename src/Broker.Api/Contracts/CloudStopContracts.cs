using System.ComponentModel.DataAnnotations;
using Broker.Api.Input;

namespace Broker.Api.Contracts;

/// <summary>Why ops stop bursting or drain a provider; shown in waiting jobs' explanations.</summary>
public sealed record CloudStopRequest([property: StringLength(300, MinimumLength = 1), SingleLineText] string? Reason);

/// <summary>A stop in force: <c>*</c> is the kill switch, any other scope a drained provider.</summary>
public sealed record CloudStopResponse(string Scope, string Reason, DateTimeOffset Since, Guid? ByKey);

/// <summary>The kill switch: <see cref="Stopped"/> is null while bursting runs.</summary>
public sealed record BurstingResponse(bool Running, CloudStopResponse? Stopped, IReadOnlyList<CloudStopResponse> DrainedProviders);
