using Broker.Api.Tests.Infrastructure;

namespace Broker.Api.Tests.Lifecycle;

/// <summary>A team mapped to a user with more than one team's rights stops Broker at start-up, with the reason.</summary>
public sealed class TenancyStartupTests
{
    private sealed class MappedApp(IReadOnlyDictionary<string, string> extra) : BrokerApp
    {
        protected override IReadOnlyDictionary<string, string> Settings =>
            new Dictionary<string, string>(base.Settings.Concat(extra));
    }

    [Theory]
    [InlineData("root", null, "user 'root' is never an acceptable on-prem user")]
    [InlineData("slurmrest", null, "user 'slurmrest' is never an acceptable on-prem user")]
    [InlineData("broker-svc", "broker-svc", "user 'broker-svc' is never an acceptable on-prem user")]
    [InlineData("-x", null, "'-x' is not a Unix user name")]
    public async Task Broker_refuses_to_start_with_an_unacceptable_team_user(string user, string? slurmUser, string reason)
    {
        var settings = new Dictionary<string, string> { ["OnPrem:Teams:vision:User"] = user };
        if (slurmUser is not null)
        {
            settings["Slurm:UserName"] = slurmUser;
        }
        var app = new MappedApp(settings);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => app.InitializeAsync());

        Assert.Contains("team 'vision': " + reason, failure.ToString(), StringComparison.Ordinal);
        try
        {
            await app.DisposeAsync();
        }
        catch (InvalidOperationException)
        {
            // The host never started; there is nothing to stop.
        }
    }
}
