namespace Broker.Providers.Tests.Aws.Fake;

public enum LostResponse
{
    /// <summary>The action is carried out, then answered with 500 InternalError.</summary>
    InternalError,
    /// <summary>The action is carried out, then the connection is aborted without an answer.</summary>
    AbortConnection,
}

/// <summary>Errors the fake answers instead of (or after) doing the work, per action and optionally per instance type.</summary>
public sealed class FakeEc2Faults
{
    private readonly List<FaultRule> rules = [];
    private readonly Lock gate = new();

    /// <summary>
    /// Answers <paramref name="code"/> to <paramref name="action"/> (only for one instance type and/or region when given),
    /// <paramref name="times"/> times, or until cleared when null.
    /// </summary>
    public void Inject(string action, string code, string? instanceType = null, int? times = null, string? message = null,
        string? region = null) =>
        Add(new FaultRule(action, instanceType, times) { Code = code, Message = message ?? $"Injected {code}", Region = region });

    /// <summary>Answers a bare HTTP status with a non-XML body, as a load balancer in front of EC2 might.</summary>
    public void InjectRawStatus(string action, int status, string body, int? times = null) =>
        Add(new FaultRule(action, null, times) { RawStatus = status, Message = body });

    /// <summary>Carries the action out, then loses the answer (the "succeeded at the cloud, caller saw a failure" case).</summary>
    public void LoseResponse(string action, LostResponse how, int times = 1) =>
        Add(new FaultRule(action, null, times) { Lost = how });

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    internal FaultRule? Take(string action, string? instanceType, string region)
    {
        lock (gate)
        {
            var rule = rules.FirstOrDefault(r => r.Action == action && (r.InstanceType is null || r.InstanceType == instanceType)
                && (r.Region is null || r.Region == region));
            if (rule?.Remaining is not null && --rule.Remaining == 0)
            {
                rules.Remove(rule);
            }
            return rule;
        }
    }

    private void Add(FaultRule rule)
    {
        lock (gate)
        {
            rules.Add(rule);
        }
    }

    internal sealed class FaultRule(string action, string? instanceType, int? remaining)
    {
        public string Action { get; } = action;
        public string? InstanceType { get; } = instanceType;
        public int? Remaining { get; set; } = remaining;
        public string? Code { get; init; }
        public string Message { get; init; } = "";
        public string? Region { get; init; }
        public int? RawStatus { get; init; }
        public LostResponse? Lost { get; init; }
    }
}
