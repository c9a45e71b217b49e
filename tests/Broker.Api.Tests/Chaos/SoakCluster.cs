using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Tests.Faults;
using Broker.Api.Tests.Infrastructure;
using Broker.Api.Tests.Replicas;
using Broker.Core.Persistence;
using Broker.Providers.Tests.Aws.Fake;
using Broker.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Broker.Api.Tests.Chaos;

/// <summary>
/// What the soak runs against: a PostgreSQL server of its own (so it may be restarted), one EC2 loopback fake shared by
/// every replica as their only cloud (so a replica's instances outlive it and another replica's reconciler sees them), the
/// agent that plays the instances' boot scripts, the local Slurm cluster, and N real Broker processes (Hangfire on) that
/// keep their ports across restarts.
/// </summary>
public sealed class SoakCluster : IAsyncDisposable
{
    public const string Team = "chaos";
    private const string CallbackSecret = "chaos-soak-callback-secret-0123456789abcdef";
    private readonly string pgDirectory = Path.Combine(Path.GetTempPath(), $"broker-chaos-pg-{Guid.NewGuid():N}");
    private readonly int pgPort = ReplicaProcess.FreePort();
    private readonly int[] ports;
    private readonly ReplicaProcess?[] replicas;
    private readonly Lock gate = new();

    private SoakCluster(int count, FakeEc2Server ec2, InstanceAgent agent)
    {
        Ec2 = ec2;
        Agent = agent;
        ports = [.. Enumerable.Range(0, count).Select(_ => ReplicaProcess.FreePort())];
        replicas = new ReplicaProcess?[count];
    }

    public FakeEc2Server Ec2 { get; }

    public InstanceAgent Agent { get; }

    public string ConnectionString { get; private set; } = "";

    public string ApiKey { get; private set; } = "";

    public int Count => replicas.Length;

    public static async Task<SoakCluster> StartAsync(int replicaCount, int seed)
    {
        var ec2 = await FakeEc2Server.StartAsync();
        var cluster = new SoakCluster(replicaCount, ec2, new InstanceAgent(ec2, seed));
        await cluster.StartDatabaseAsync();
        var admin = cluster.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE broker_chaos", connection);
            await create.ExecuteNonQueryAsync();
        }
        cluster.ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = "broker_chaos" }.ConnectionString;
        // The first applies the migrations and prepares Hangfire's schema; the others start together after it.
        await cluster.StartReplicaAsync(0);
        await Task.WhenAll(Enumerable.Range(1, replicaCount - 1).Select(cluster.StartReplicaAsync));
        cluster.ApiKey = await cluster.CreateKeyAsync();
        return cluster;
    }

    public async Task StartReplicaAsync(int index)
    {
        var replica = ReplicaProcess.Start($"replica-{index}", Settings(), ports[index], new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIDCHAOSSOAK",
            ["AWS_SECRET_ACCESS_KEY"] = "chaos-soak-not-a-secret",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        });
        lock (gate)
        {
            replicas[index] = replica;
        }
        await replica.WaitReadyAsync(TimeSpan.FromSeconds(180));
    }

    /// <summary>SIGKILL (the whole process tree), as the kernel's OOM killer or a node loss would; returns the dead pid.</summary>
    public async Task<int> KillReplicaAsync(int index)
    {
        ReplicaProcess replica;
        lock (gate)
        {
            replica = replicas[index] ?? throw new InvalidOperationException($"replica-{index} is not running");
            replicas[index] = null;
        }
        var pid = replica.ProcessId;
        await replica.DisposeAsync();
        return pid;
    }

    public bool IsUp(int index)
    {
        lock (gate)
        {
            return replicas[index] is { HasExited: false };
        }
    }

    public int? ProcessIdOf(int index)
    {
        lock (gate)
        {
            return replicas[index]?.ProcessId;
        }
    }

    /// <summary>A client for a replica that is up (round robin from <paramref name="preferred"/>), or null when none is.</summary>
    public HttpClient? ClientFor(int preferred)
    {
        for (var i = 0; i < replicas.Length; i++)
        {
            var index = (preferred + i) % replicas.Length;
            if (IsUp(index))
            {
                var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[index]}/"), Timeout = TimeSpan.FromSeconds(20) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
                return client;
            }
        }
        return null;
    }

    public string Logs(int lines) => string.Join("\n", replicas.OfType<ReplicaProcess>().Select(r => $"--- {r.Name}\n{r.Tail(lines)}"));

    public string FullLogs() => string.Join("\n", replicas.OfType<ReplicaProcess>().Select(r => $"--- {r.Name}\n{r.Output}"));

    public int CountLogLines(string text) => replicas.OfType<ReplicaProcess>().Sum(r => r.CountLines(text));

    public Task StopDatabaseAsync() => FaultJobs.RunScriptAsync("pg.sh", Fsync, "stop", pgDirectory);

    public async Task StartDatabaseAsync()
    {
        var admin = (await FaultJobs.RunScriptAsync("pg.sh", Fsync, "start", pgDirectory, pgPort.ToString(CultureInfo.InvariantCulture))).Trim();
        if (ConnectionString.Length == 0)
        {
            ConnectionString = admin;
        }
    }

    public BrokerDbContext NewDbContext()
    {
        var options = new DbContextOptionsBuilder<BrokerDbContext>();
        options.UseBrokerDatabase(ConnectionString);
        return new BrokerDbContext(options.Options);
    }

    private Dictionary<string, string> Settings() => ReplicaSettings.For(ConnectionString, CallbackSecret, new Dictionary<string, string>
    {
        ["Schedules:Placement"] = "*/2 * * * * *",
        ["Schedules:Reconcile"] = "*/2 * * * * *",
        ["Schedules:Inventory"] = "*/5 * * * * *",
        ["Schedules:CostRecording"] = "*/5 * * * * *",
        [$"OnPrem:Teams:{Team}:User"] = SlurmServer.TeamUserA,
        ["Providers:Aws:Enabled"] = "true",
        ["Providers:Aws:Regions:0"] = "us-east-1",
        ["Providers:Aws:Regions:1"] = "us-west-2",
        ["Providers:Aws:DefaultImageId"] = "ami-0123456789abcdef0",
        ["Providers:Aws:ServiceUrl"] = Ec2.ServiceUrl,
        ["Providers:Guard:BaseDelay"] = "00:00:00.200",
        ["Providers:Guard:MaxDelay"] = "00:00:02",
        ["Lifecycle:VanishGrace"] = "00:00:20",
        ["Lifecycle:OrphanGrace"] = "00:00:10",
        ["Lifecycle:RequeueRequestedAfter"] = "00:00:10",
        ["Lifecycle:LaunchTimeout"] = "00:03:00",
        ["Placement:MaxWaitBeforeBurst"] = "00:00:20",
        ["Logging:LogLevel:Default"] = "Warning",
    });

    private async Task<string> CreateKeyAsync()
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}/") };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BrokerApp.AdminKey);
        using var response = await admin.PostAsJsonAsync("/v1/api-keys", new { name = "chaos submitter", role = "submitter", team = Team });
        response.EnsureSuccessStatusCode();
        // The regions the AWS adapter is configured for; the catalog sells many more (see the report: placement does not
        // know which regions the adapter may launch in).
        await Policies.PolicyApi.ReplaceAsync(admin, Team, """{"allowedRegions":["us-east-1","us-west-2"]}""");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    private static Dictionary<string, string> Fsync => new() { ["PG_FSYNC"] = "off" };

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in replicas.OfType<ReplicaProcess>())
        {
            await replica.DisposeAsync();
        }
        await Agent.DisposeAsync();
        await Ec2.DisposeAsync();
        try
        {
            await StopDatabaseAsync();
            Directory.Delete(pgDirectory, recursive: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
        }
    }
}
