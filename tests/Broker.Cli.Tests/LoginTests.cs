using System.Text.Json.Nodes;

namespace Broker.Cli.Tests;

[Collection(CliCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LoginTests(CliBroker broker)
{
    [Fact]
    public async Task Login_checks_the_key_and_stores_it_in_a_file_only_the_user_can_read()
    {
        var user = broker.NewUser();
        var key = await broker.CreateKeyAsync("submitter", "cli-login");

        var login = await user.RunAsync(["login", "--url", CliBroker.Url + "/", "--api-key-stdin"], key + "\n", CancellationToken.None);

        Assert.True(login.Exit == ExitCodes.Ok, login.ToString());
        Assert.Contains("team cli-login", login.Out, StringComparison.Ordinal);
        var file = Path.Combine(user.ConfigDirectory, "config.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(user.ConfigDirectory));
        var stored = JsonNode.Parse(File.ReadAllText(file))!;
        Assert.Equal((CliBroker.Url, key), (stored["url"]!.GetValue<string>(), stored["apiKey"]!.GetValue<string>()));
        Assert.Single(Directory.GetFiles(user.ConfigDirectory));
        var jobs = await user.RunAsync("jobs");
        Assert.True(jobs.Exit == ExitCodes.Ok, jobs.ToString());
        Assert.Contains("No jobs.", jobs.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_is_not_stored_and_the_problem_is_shown_with_exit_1()
    {
        var user = broker.NewUser();

        var login = await user.RunAsync(["login", "--url", CliBroker.Url, "--api-key-stdin"], "brk_not-a-key-of-this-broker-000000000000\n",
            CancellationToken.None);

        Assert.Equal(ExitCodes.Refused, login.Exit);
        Assert.Contains("(401)", login.Error, StringComparison.Ordinal);
        Assert.Contains("broker login", login.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", login.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(user.ConfigDirectory, "config.json")));
    }

    [Fact]
    public async Task Without_a_login_commands_say_how_to_log_in_and_environment_variables_stand_in_for_it()
    {
        var nobody = await broker.NewUser().RunAsync("jobs");
        Assert.Equal(ExitCodes.Usage, nobody.Exit);
        Assert.Contains("broker login", nobody.Error, StringComparison.Ordinal);

        var key = await broker.CreateKeyAsync("submitter", "cli-env");
        var scripted = await broker.NewUser(new Dictionary<string, string> { ["BROKER_URL"] = CliBroker.Url, ["BROKER_API_KEY"] = key })
            .RunAsync("jobs", "--json");
        Assert.True(scripted.Exit == ExitCodes.Ok, scripted.ToString());
        Assert.Empty(JsonNode.Parse(scripted.Out)!["items"]!.AsArray());
    }

    [Fact]
    public async Task A_broker_that_cannot_be_reached_exits_3()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var environment = new CliEnvironment
        {
            Out = new LiveWriter(),
            Error = new LiveWriter(),
            In = new StringReader(""),
            Variable = name => name switch
            {
                "BROKER_URL" => $"http://127.0.0.1:{port}",
                "BROKER_API_KEY" => "brk_any-key-0000000000000000000000000000",
                "HOME" => Directory.CreateTempSubdirectory("broker-cli-home-").FullName,
                _ => null,
            },
        };

        var exit = await CliApp.RunAsync(["status", Guid.NewGuid().ToString()], environment);

        Assert.Equal(ExitCodes.Unreachable, exit);
        Assert.Contains("Cannot reach Broker", ((LiveWriter)environment.Error).Text, StringComparison.Ordinal);
    }
}
