namespace Broker.Bench.SubmitThroughput.Derivation;

/// <summary>What EF Core logged for one request, in order: commands and transaction boundaries.</summary>
internal abstract record EfStep;

/// <param name="Text">The command text; a batch holds several statements separated by ';'.</param>
/// <param name="DbTypes">Parameter name (without '@') to the DbType EF logged, or null when it logged none (strings).</param>
internal sealed record EfCommand(string Text, IReadOnlyDictionary<string, string?> DbTypes) : EfStep;

internal sealed record EfBegin(string IsolationLevel) : EfStep;

internal sealed record EfEnd(bool Committed) : EfStep;

internal sealed record CapturedRequest(string RequestId, IReadOnlyList<EfStep> Steps);
