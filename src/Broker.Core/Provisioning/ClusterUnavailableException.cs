namespace Broker.Core.Provisioning;

/// <summary>The on-prem cluster cannot be reached or refused our credentials; the call may be tried again later.</summary>
public sealed class ClusterUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
