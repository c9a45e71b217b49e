namespace Broker.Core.Simulation.Replay;

/// <summary>A segment while it runs. Its end and outcome are known at start: completion, or the next spot loss.</summary>
internal sealed class ActiveSegment
{
    public required long Id { get; init; }

    public required SimJob Job { get; init; }

    public required long StartS { get; init; }

    public required long EndS { get; init; }

    public required string Outcome { get; init; }

    public required string Market { get; init; }

    public required decimal PricePerHour { get; init; }

    public required string GpuModel { get; init; }

    public string Node { get; init; } = "";

    public int OfferIndex { get; init; } = -1;

    public long StartupS { get; init; }

    /// <summary>For a shared job on-prem: the GPU it shares, the shards and the share it reserved; else -1, 0 and null.</summary>
    public int SharedGpu { get; init; } = -1;

    public int Shards { get; init; }

    public decimal? ReservedShare { get; init; }

    /// <summary>An on-prem gang's member nodes (<see cref="Node"/> first); null for one node.</summary>
    public IReadOnlyList<string>? MemberNodes { get; init; }

    /// <summary>Instances of a cloud gang (1 for one instance); they share the offer's spot trace, so they are lost together.</summary>
    public int Members { get; init; } = 1;

    /// <summary>The engine's chosen option in words, kept on the closed segment.</summary>
    public string Why { get; init; } = "";

    public bool IsCloud => OfferIndex >= 0;
}
