using Broker.Api.Tests.Costs;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;
using Broker.Core.Telemetry;
using Amazon.Runtime;
using Broker.Providers.Aws;
using Broker.Providers.Tests.Aws.Fake;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>The app on its own database whose only cloud is the real EC2 adapter (guarded, as in production) on the loopback EC2.</summary>
public sealed class Ec2PlacementGroupApp : CostsApp
{
    public const string Region = "us-east-1";
    public const string OtherRegion = "us-west-2";
    public const string Zone = "us-east-1a";

    private readonly AwsClientFactory clients;

    public Ec2PlacementGroupApp()
    {
        Ec2 = FakeEc2Server.StartAsync().GetAwaiter().GetResult();
        var options = Microsoft.Extensions.Options.Options.Create(new AwsOptions
        {
            Enabled = true, Regions = [Region, OtherRegion], ServiceUrl = Ec2.ServiceUrl, DefaultImageId = "ami-0123456789abcdef0",
        });
        clients = new AwsClientFactory(options, new BasicAWSCredentials("AKIDFAKEEXAMPLE", "fake-secret"));
        Adapter = new AwsComputeProvider(clients, options);
    }

    public FakeEc2Server Ec2 { get; }

    /// <summary>The adapter itself, unguarded, for the test's own calls (launching and terminating members).</summary>
    public AwsComputeProvider Adapter { get; }

    protected override void OverrideServices(IServiceCollection services)
    {
        base.OverrideServices(services);
        services.RemoveAll<IComputeProvider>();
        services.AddSingleton<IComputeProvider>(sp => new GuardedComputeProvider(Adapter, sp.GetRequiredService<UnavailableOfferCache>(),
            sp.GetRequiredService<ProviderHealth>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<GuardOptions>(),
            sp.GetRequiredService<BrokerMetrics>()));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        clients.Dispose();
        await Ec2.DisposeAsync();
    }

    public InstanceRequest Member(Guid allocation, int member) => new(allocation, Guid.NewGuid(), Region, Zone, "p5.48xlarge",
        CapacityType.OnDemand, null, "#!/bin/bash\n", member, 2, CloudGang.PlacementGroupName(allocation));
}

/// <summary>
/// The reconciler's placement-group sweep (ADR 0012) against EC2's wire protocol: DescribePlacementGroups and
/// DeletePlacementGroup on the loopback fake, allocation rows in PostgreSQL.
/// </summary>
public sealed class Ec2PlacementGroupGcTests(Ec2PlacementGroupApp app) : IClassFixture<Ec2PlacementGroupApp>
{
    private Task<Reconciler.Result> ReconcileAsync() => app.WithScopeAsync(s => s.GetRequiredService<Reconciler>().RunAsync(default));

    private async Task<Allocation> AddGangAsync(Job job, AllocationState state)
    {
        var now = DateTimeOffset.UtcNow;
        var gang = new Allocation
        {
            Id = Guid.CreateVersion7(now.AddMinutes(-30)), JobId = job.Id, Market = CapacityType.OnDemand, Provider = "aws", Region = Ec2PlacementGroupApp.Region,
            Zone = Ec2PlacementGroupApp.Zone, InstanceType = "p5.48xlarge", GpuModel = "H100-80GB", Gpus = 16, InstanceCount = 2, PricePerHour = 110m,
            State = state, CreatedAt = state == AllocationState.Closed ? now.AddMinutes(-30) : now,
            End = state == AllocationState.Closed ? AllocationEnd.Completed : null, EndedAt = state == AllocationState.Closed ? now.AddMinutes(-1) : null,
        };
        await using var db = app.NewDbContext();
        db.Allocations.Add(gang);
        await db.SaveChangesAsync();
        return gang;
    }

    private static Dictionary<string, string> Managed(Guid allocation) =>
        new() { [ManagedTags.Managed] = "true", [ManagedTags.Allocation] = allocation.ToString() };

    [Fact]
    public async Task Groups_of_closed_and_unknown_gangs_go_once_their_members_are_terminated_and_nothing_else_is_touched()
    {
        var ec2 = app.Ec2;
        ec2.Cloud.ShutdownLingers = true;
        var closed = await AddGangAsync(await app.SubmitAsync("pg-ec2"), AllocationState.Closed);
        var live = await AddGangAsync(await app.SubmitAsync("pg-ec2"), AllocationState.Requested);
        var closedGroup = CloudGang.PlacementGroupName(closed.Id);
        var members = new List<ProviderInstance>();
        for (var m = 0; m < 2; m++)
        {
            members.Add(await app.Adapter.CreateAsync(app.Member(closed.Id, m), default));
        }
        foreach (var member in members)
        {
            await app.Adapter.TerminateAsync(Ec2PlacementGroupApp.Region, Ec2PlacementGroupApp.Zone, member.InstanceId, default);
        }
        // The live gang's group exists, its members are not launched yet; a group named after an allocation this database
        // never had, made an hour ago (its UUIDv7 says so) and one made just now; someone else's group.
        var liveGroup = CloudGang.PlacementGroupName(live.Id);
        ec2.Cloud.AddPlacementGroup(Ec2PlacementGroupApp.Region, liveGroup, Managed(live.Id));
        var oldUnknown = Guid.CreateVersion7(DateTimeOffset.UtcNow.AddHours(-1));
        ec2.Cloud.AddPlacementGroup(Ec2PlacementGroupApp.OtherRegion, CloudGang.PlacementGroupName(oldUnknown), Managed(oldUnknown));
        var newUnknown = Guid.CreateVersion7(DateTimeOffset.UtcNow);
        ec2.Cloud.AddPlacementGroup(Ec2PlacementGroupApp.Region, CloudGang.PlacementGroupName(newUnknown), Managed(newUnknown));
        ec2.Cloud.AddPlacementGroup(Ec2PlacementGroupApp.Region, "hpc-team-cluster");

        // The closed gang's members are still shutting down: listed, so its group is kept without asking EC2.
        var first = await ReconcileAsync();
        Assert.Equal(1, first.PlacementGroupsDeleted);
        Assert.Contains((Ec2PlacementGroupApp.Region, closedGroup), ec2.Cloud.PlacementGroups.Keys);
        Assert.DoesNotContain(ec2.CallsTo("DeletePlacementGroup"), c => c["GroupName"] == closedGroup);

        ec2.Cloud.FinishShutdowns();
        var racing = await Task.WhenAll(ReconcileAsync(), ReconcileAsync());
        var again = await ReconcileAsync();

        Assert.Equal(1, racing.Sum(r => r.PlacementGroupsDeleted));
        Assert.Equal(0, again.PlacementGroupsDeleted);
        Assert.Equal(new[] { (Ec2PlacementGroupApp.Region, liveGroup), (Ec2PlacementGroupApp.Region, CloudGang.PlacementGroupName(newUnknown)), (Ec2PlacementGroupApp.Region, "hpc-team-cluster") }.Order(),
            ec2.Cloud.PlacementGroups.Keys.Order());
        var deletes = ec2.CallsTo("DeletePlacementGroup").Select(c => c["GroupName"]).ToList();
        Assert.Equal([closedGroup, CloudGang.PlacementGroupName(oldUnknown)], deletes.Distinct().Order(StringComparer.Ordinal).ToList()
            .OrderBy(n => n == closedGroup ? 0 : 1));
        Assert.InRange(deletes.Count(n => n == closedGroup), 1, 2);
        Assert.All(ec2.CallsTo("DescribePlacementGroups"), c => Assert.Equal("tag:broker-managed", c["Filter.1.Name"]));
    }
}
