namespace Broker.Core.Logs;

/// <summary>
/// A piece of one run segment's stdout or stderr, as its instance or Slurm job shipped it. (Allocation, stream, offset)
/// is unique: a retried chunk is stored once.
/// </summary>
public sealed class LogChunk
{
    public long Id { get; set; }

    public Guid JobId { get; set; }

    public Guid AllocationId { get; set; }

    public string Stream { get; set; } = LogStreams.Stdout;

    /// <summary>Byte offset of the chunk's first byte in its stream (UTF-8).</summary>
    public long Offset { get; set; }

    public int Bytes { get; set; }

    public string Text { get; set; } = "";

    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>Bytes of a job's logs dropped to keep it under its cap, oldest first.</summary>
public sealed class LogDrop
{
    public Guid JobId { get; set; }

    public long DroppedBytes { get; set; }
}

public static class LogStreams
{
    public const string Stdout = "stdout";
    public const string Stderr = "stderr";

    public static bool IsKnown(string? stream) => stream is Stdout or Stderr;
}

/// <summary>Configuration <c>Logs:*</c>.</summary>
public sealed class LogOptions
{
    /// <summary>Most bytes of logs kept per job (all its segments); older chunks are dropped first.</summary>
    public long MaxBytesPerJob { get; set; } = 16L * 1024 * 1024;

    /// <summary>Largest chunk accepted in one request.</summary>
    public int MaxChunkBytes { get; set; } = 64 * 1024;

    /// <summary>How often a follow request looks for new chunks.</summary>
    public TimeSpan FollowPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
