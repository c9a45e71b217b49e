namespace Broker.Core.Jobs;

public sealed class JobLabel
{
    public Guid JobId { get; set; }

    public string Key { get; set; } = "";

    public string Value { get; set; } = "";
}
