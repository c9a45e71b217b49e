using Broker.Api.Tests.Infrastructure;
using Broker.Testing;

namespace Broker.Api.Tests.Replicas;

/// <summary>What every replica test process shares: its database, Hangfire on, the local Slurm cluster, the admin key, no rate limits.</summary>
public static class ReplicaSettings
{
    /// <param name="extra">The test's own schedules, timeouts and team mappings; they win over the shared values.</param>
    public static Dictionary<string, string> For(string connectionString, string callbackSecret, IReadOnlyDictionary<string, string> extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Broker"] = connectionString,
            ["Database:MigrateOnStartup"] = "true",
            ["Hangfire:ServerEnabled"] = "true",
            ["Hangfire:WorkerCount"] = "4",
            ["Slurm:BaseUrl"] = SlurmServer.Url,
            ["Slurm:Token"] = SlurmServer.Token,
            ["Slurm:UserName"] = SlurmServer.User,
            ["Slurm:OutputRoot"] = SlurmServer.OutputRoot,
            ["Providers:Simulated:SpotInterruptionsPerHour"] = "0",
            ["Callbacks:Secret"] = callbackSecret,
            ["Bootstrap:AdminKey"] = BrokerApp.AdminKey,
            ["RateLimiting:PermitsPerSecond"] = "100000",
            ["RateLimiting:Burst"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }
}
