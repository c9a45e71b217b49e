namespace Broker.Core.OnPrem;

/// <summary>Used and total GPUs of one node at one sync: the raw data behind "how busy are our GPUs".</summary>
public sealed class NodeUtilizationSample
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public string Node { get; set; } = "";

    public string GpuModel { get; set; } = "";

    public int GpuUsed { get; set; }

    public int GpuTotal { get; set; }
}
