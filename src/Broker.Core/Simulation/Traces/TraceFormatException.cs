namespace Broker.Core.Simulation.Traces;

/// <summary>A trace or scenario file that cannot be read; the message names the file and, for rows, the line.</summary>
public sealed class TraceFormatException(string message, Exception? inner = null) : Exception(message, inner)
{
    public static TraceFormatException AtLine(string source, int line, string problem) =>
        new($"{source}: line {line}: {problem}");
}
