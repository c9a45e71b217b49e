using System.Collections.Concurrent;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm;
using Broker.Providers.Slurm.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Providers.Tests.Slurm;

/// <summary>One Broker process' view of the cluster: the adapter built through <c>AddSlurmCluster</c>, with captured logs.</summary>
public sealed class SlurmTestCluster : IDisposable
{
    private readonly ServiceProvider _services;

    public SlurmTestCluster(SlurmClusterFixture fixture, string? token = null, string? userName = null)
    {
        fixture.EnsureControllerAnswersAsync().GetAwaiter().GetResult();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slurm:BaseUrl"] = fixture.Url,
            ["Slurm:UserName"] = userName ?? fixture.User,
            ["Slurm:Token"] = token ?? fixture.Token,
            ["Slurm:RequestTimeout"] = "00:00:15",
        }).Build();
        _services = new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug))
            .AddSlurmCluster(configuration)
            .BuildServiceProvider();
        Cluster = _services.GetRequiredService<IOnPremCluster>();
    }

    public IOnPremCluster Cluster { get; }

    public CapturedLogs Logs { get; } = new();

    internal SlurmRestClient Client => _services.GetRequiredService<SlurmRestClient>();

    internal async Task<IReadOnlyList<SlurmJob>> JobsOfAsync(Guid allocationId) =>
        (await Client.GetJobsAsync(CancellationToken.None)).Where(j => j.Name == SlurmJobNames.For(allocationId)).ToList();

    public void Dispose() => _services.Dispose();
}

public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}

internal static class Eventually
{
    /// <summary>Polls until <paramref name="done"/> holds or the deadline passes; returns the last value seen.</summary>
    public static async Task<T> ReachAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; last value: {value}");
            await Task.Delay(200);
        }
    }
}
