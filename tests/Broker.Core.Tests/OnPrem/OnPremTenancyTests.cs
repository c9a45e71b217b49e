using Broker.Core.OnPrem;

namespace Broker.Core.Tests.OnPrem;

public sealed class OnPremTenancyTests
{
    private static readonly Func<string, int?> NoLocalUsers = _ => null;

    private static OnPremTenancySettings Teams(params (string Team, string? User, string? Account, string? Directory)[] teams) => new()
    {
        Teams = teams.ToDictionary(t => t.Team, t => new OnPremTeamSettings { User = t.User, Account = t.Account, OutputDirectory = t.Directory }),
    };

    private static InvalidOperationException Refused(OnPremTenancySettings settings, Func<string, int?>? uidOf = null,
        params string[] alsoDenied) =>
        Assert.Throws<InvalidOperationException>(() => OnPremTenancy.Create(settings, "/srv/teams", alsoDenied, uidOf ?? NoLocalUsers));

    [Fact]
    public void Mapped_teams_get_their_user_account_and_a_directory_under_the_output_root_by_default()
    {
        var tenancy = OnPremTenancy.Create(Teams(("vision", "broker-vision", "cv", null), ("nlp", "broker-nlp", null, "/data/nlp/")),
            "/srv/teams/", [], NoLocalUsers);

        Assert.Equal(new OnPremTeamMapping("vision", "broker-vision", "cv", "/srv/teams/broker-vision"), tenancy.For("vision"));
        Assert.Equal(new OnPremTeamMapping("nlp", "broker-nlp", null, "/data/nlp"), tenancy.For("nlp"));
        Assert.Null(tenancy.For("Vision"));
        Assert.Null(tenancy.RefusalFor("vision"));
        Assert.Equal("team ghosts has no on-prem user mapping", tenancy.RefusalFor("ghosts"));
    }

    [Fact]
    public void Without_an_output_root_team_directories_default_below_var_lib_broker()
    {
        var tenancy = OnPremTenancy.Create(Teams(("vision", "broker-vision", null, null)), null, [], NoLocalUsers);

        Assert.Equal($"{OnPremTenancy.DefaultOutputRoot}/broker-vision", tenancy.For("vision")!.OutputDirectory);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("ROOT")]
    [InlineData(" root ")]
    [InlineData("slurm")]
    [InlineData("slurmrest")]
    [InlineData("munge")]
    [InlineData("postgres")]
    [InlineData("nobody")]
    public void Root_and_service_users_are_never_acceptable(string user)
    {
        var refused = Refused(Teams(("vision", user, null, null)));

        Assert.Contains("team 'vision'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("never an acceptable on-prem user", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_denied_users_and_the_user_of_brokers_own_slurm_token_are_refused()
    {
        var settings = Teams(("a", "ops-admin", null, null), ("b", "broker-svc", null, null));
        settings.DeniedUsers.Add("ops-admin");

        var refused = Refused(settings, alsoDenied: "broker-svc");

        Assert.Contains("'ops-admin' is never", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'broker-svc' is never", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_that_is_uid_0_on_this_host_is_refused_whatever_its_name()
    {
        var refused = Refused(Teams(("vision", "toor2", null, null)), uidOf: u => u == "toor2" ? 0 : 1000);

        Assert.Contains("'toor2' has uid 0", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-rf")]
    [InlineData("Vision")]
    [InlineData("a b")]
    [InlineData("user\0x")]
    [InlineData("machine$")]
    [InlineData("a-very-long-user-name-of-more-than-32")]
    public void Malformed_user_names_are_refused(string? user) =>
        Assert.Contains("team 'vision'", Refused(Teams(("vision", user, null, null))).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("relative/dir")]
    [InlineData("/")]
    [InlineData("/srv/../etc")]
    [InlineData("/srv/./teams")]
    [InlineData("/srv//teams")]
    [InlineData("/srv/%u")]
    [InlineData("/srv/line\nbreak")]
    public void Output_directories_must_be_plain_absolute_paths(string directory) =>
        Assert.Contains("output directory", Refused(Teams(("vision", "broker-vision", null, directory))).Message, StringComparison.Ordinal);

    [Fact]
    public void Every_problem_is_named_at_once()
    {
        var refused = Refused(Teams(("a", "root", null, null), ("b", "broker-b", "bad account!", null), ("c", "broker-c", null, "tmp")));

        Assert.Contains("team 'a'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("team 'b': 'bad account!' is not a Slurm account name", refused.Message, StringComparison.Ordinal);
        Assert.Contains("team 'c': output directory 'tmp'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Passwd_file_gives_uids_by_name()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "root:x:0:0:root:/root:/bin/bash\n# comment\ntoor:x:0:0::/:/bin/sh\nbroker-vision:x:995:994::/nonexistent:/usr/sbin/nologin\nbroken\n");
        try
        {
            var uidOf = PasswdFile.Lookup(path);

            Assert.Equal((0, 0, 995, null), (uidOf("root"), uidOf("toor"), uidOf("broker-vision"), uidOf("broken")));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
