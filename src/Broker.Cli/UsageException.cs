namespace Broker.Cli;

/// <summary>The user's input is wrong (arguments, job file, no login): exit 2, nothing was sent to Broker.</summary>
public sealed class UsageException(string message) : Exception(message);
