namespace Broker.Providers.Tests.Azure;

/// <summary>An error the fake ARM answers for PUTs of VMs of one size.</summary>
/// <param name="Synchronous">True: the PUT itself fails with <paramref name="Status"/>. False: the PUT is accepted and the long-running operation fails.</param>
/// <param name="Times">How many PUTs fail before the size succeeds again.</param>
internal sealed record FakeArmFault(bool Synchronous, int Status, string Code, string Message, string? RetryAfter, int Times)
{
    public int Remaining { get; set; } = Times;
}

/// <summary>One request as the fake ARM saw it.</summary>
internal sealed record FakeArmCall(string Method, string Path, string Query, string? Body, DateTimeOffset At);
