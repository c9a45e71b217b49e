using System.Collections.Concurrent;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Broker.Api.Tests.Hardening;

/// <summary>
/// The API with its real Hangfire server on the real PostgreSQL, on fast schedules, whose three clouds refuse every launch:
/// permanently (an image under <see cref="InvalidRequestImage"/>) or transiently (under <see cref="TransientImage"/>).
/// </summary>
public sealed class LaunchFailureApp : BrokerApp
{
    public const string InvalidRequestImage = "example.com/fails/invalid-request:1";
    public const string TransientImage = "example.com/fails/transient:1";
    public const int MaxLaunchFailures = 3;

    public ConcurrentDictionary<Guid, int> CreateCalls { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RateLimiting:PermitsPerSecond"] = "100000",
        ["RateLimiting:Burst"] = "100000",
        ["Hangfire:ServerEnabled"] = "true",
        ["Hangfire:WorkerCount"] = "4",
        ["Schedules:Placement"] = "*/1 * * * * *",
        ["Schedules:Reconcile"] = "*/1 * * * * *",
        ["Lifecycle:RequeueRequestedAfter"] = "00:00:01",
        ["Lifecycle:LaunchTimeout"] = "00:00:05",
        ["Lifecycle:MaxLaunchFailures"] = MaxLaunchFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Placement:MaxWaitBeforeBurst"] = "00:00:00",
    };

    protected override void OverrideServices(IServiceCollection services)
    {
        services.RemoveAll<IComputeProvider>();
        foreach (var name in new[] { "aws", "azure", "gcp" })
        {
            services.AddSingleton<IComputeProvider>(new RefusingCloud(name, CreateCalls));
        }
    }

    /// <summary>Provisioning runs (ProvisionAllocationsJob chunks, or the older per-allocation job) holding these allocations, by Hangfire state name.</summary>
    public async Task<Dictionary<string, int>> ProvisionJobStatesAsync(IEnumerable<Guid> allocations)
    {
        var ids = allocations.Select(a => a.ToString()).ToArray();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT coalesce(statename, '(none)'), arguments::text FROM hangfire.job
            WHERE invocationdata::text LIKE '%ProvisionAllocation%'
            """, connection);
        var states = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (ids.Any(id => reader.GetString(1).Contains(id, StringComparison.Ordinal)))
            {
                states[reader.GetString(0)] = states.GetValueOrDefault(reader.GetString(0)) + 1;
            }
        }
        return states;
    }

    private sealed class RefusingCloud(string name, ConcurrentDictionary<Guid, int> calls) : IComputeProvider
    {
        public string Name => name;

        public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
        {
            calls.AddOrUpdate(request.AllocationId, 1, (_, n) => n + 1);
            throw request.StartupScript.Contains(TransientImage, StringComparison.Ordinal)
                ? new ProviderException(name, ProviderErrorKind.Transient, BlockScope.None, "InternalError", "the cloud had a bad day")
                : new ProviderException(name, ProviderErrorKind.InvalidRequest, BlockScope.None, "InvalidParameterValue", "refused for the test");
        }

        public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ProviderInstance>>([]);
    }
}
