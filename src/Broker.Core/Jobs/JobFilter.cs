namespace Broker.Core.Jobs;

/// <summary>Which jobs a list call wants. <see cref="Team"/> is already narrowed to the caller's own team for submitters.</summary>
public sealed record JobFilter(
    string? Team,
    IReadOnlyCollection<JobState> States,
    KeyValuePair<string, string>? Label,
    DateTimeOffset? SubmittedFrom,
    DateTimeOffset? SubmittedTo,
    long? AfterSeq,
    int Limit);

public sealed record JobPage(IReadOnlyList<Job> Items, long? NextSeq);
