namespace Broker.Providers.Tests.Aws.Fake;

/// <summary>One request the fake received, as the SDK sent it (form parameters and the SDK's attempt header).</summary>
public sealed record Ec2Call(string Action, string Region, IReadOnlyDictionary<string, string> Parameters, string? SdkAttempt)
{
    public string? this[string name] => Parameters.GetValueOrDefault(name);
}
