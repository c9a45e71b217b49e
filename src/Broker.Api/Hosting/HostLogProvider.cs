using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace Broker.Api.Hosting;

/// <summary>
/// Hangfire's log provider is process-wide, so the last host to configure Hangfire owns it. When that host is disposed
/// while another still runs (several hosts in one process: tests, tools), its logger factory is gone: fall back to not
/// logging instead of failing the caller's enqueue.
/// </summary>
public sealed class HostLogProvider(ILoggerFactory factory) : ILogProvider
{
    private readonly AspNetCoreLogProvider inner = new(factory);

    public ILog GetLogger(string name)
    {
        try
        {
            return inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Silent.Instance;
        }
    }

    private sealed class Silent : ILog
    {
        public static Silent Instance { get; } = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
