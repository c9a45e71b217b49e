using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Api.Tests.Secrets;

/// <summary>The API on the real PostgreSQL, logging everything (Trace, every category) into <see cref="Logs"/>.</summary>
public sealed class SecretsApp : BrokerApp
{
    public CapturedLogs Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RateLimiting:PermitsPerSecond"] = "100000",
        ["RateLimiting:Burst"] = "100000",
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
    };

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);

    public async Task<HttpClient> OpsAsync() => ClientWithKey(await CreateKeyAsync("ops"));

    public async Task RegisterAsync(HttpClient ops, string name, string value, params string[] teams)
    {
        using var response = await ops.PostAsJsonAsync("/v1/secrets", new { name, value, teams = teams.Length == 0 ? null : teams });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static JsonObject Body(JsonObject? env = null, JsonObject? secretEnv = null)
    {
        var body = JobApi.ValidBody("env-test");
        body["gpu"] = new JsonObject { ["count"] = 1, ["models"] = new JsonArray("H100-80GB") };
        if (env is not null)
        {
            body["env"] = env;
        }
        if (secretEnv is not null)
        {
            body["secretEnv"] = secretEnv;
        }
        return body;
    }

    /// <summary>A segment of the job in <paramref name="state"/>, written as placement and provisioning leave it, with its tokens.</summary>
    public async Task<(Guid AllocationId, CallbackTokenSet Tokens)> SegmentAsync(Guid jobId, bool onPrem = false,
        AllocationState state = AllocationState.Running)
    {
        await using var db = NewDbContext();
        var job = await db.Jobs.FirstAsync(j => j.Id == jobId);
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % 10));
        var allocation = new Allocation
        {
            Id = Guid.NewGuid(), JobId = jobId, Market = onPrem ? CapacityType.OnPrem : CapacityType.OnDemand, Provider = onPrem ? "slurm" : "aws",
            Region = onPrem ? null : "us-east-1", InstanceType = onPrem ? null : "p5.48xlarge", Node = onPrem ? "gpu-h100-1" : null,
            GpuModel = "H100-80GB", Gpus = 1, State = AllocationState.Requested, CreatedAt = now,
        };
        db.Allocations.Add(allocation);
        job.MoveTo(JobState.Placed, JobEventKind.Placed, "Placed by the test.", now);
        JobLifecycle.Provisioning(job, allocation, onPrem ? "4242" : "i-envtest", now);
        if (state is AllocationState.Running or AllocationState.Releasing or AllocationState.Closed)
        {
            JobLifecycle.Started(job, allocation, now);
        }
        if (state is AllocationState.Releasing or AllocationState.Closed)
        {
            JobLifecycle.Interrupted(job, allocation, AllocationEnd.Interrupted, "Interrupted (test)", now);
        }
        if (state == AllocationState.Closed)
        {
            JobLifecycle.Closed(allocation, now);
        }
        await db.SaveChangesAsync();
        var tokens = Services.GetRequiredService<CallbackTokens>();
        var lifecycle = Services.GetRequiredService<LifecycleOptions>();
        return (allocation.Id, onPrem ? tokens.ForOnPremScript(allocation, job, lifecycle) : tokens.ForCloudInstance(allocation, job, lifecycle));
    }

    public async Task<HttpResponseMessage> FetchAsync(Guid allocationId, string? token)
    {
        using var script = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/instances/{allocationId}/environment");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await script.SendAsync(request);
    }
}

/// <summary>Every log line any category writes, with its structured values, for "the value is not in the logs".</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    /// <summary>Each line with the level it was written at; null for a scope.</summary>
    private readonly ConcurrentQueue<(LogLevel? Level, string Text)> lines = new();

    public string Text => string.Join('\n', lines.Select(l => l.Text));

    public int Count => lines.Count;

    /// <summary>The lines written at <see cref="LogLevel.Error"/> or above, in order.</summary>
    public IReadOnlyList<string> Errors => [.. lines.Where(l => l.Level is >= LogLevel.Error and < LogLevel.None).Select(l => l.Text)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(LogLevel? Level, string Text)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue((null, $"{category} scope {state}"));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue((logLevel, $"{category} {logLevel} {formatter(state, exception)} {values} {exception}"));
        }
    }
}
