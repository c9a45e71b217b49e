using System.Net;
using System.Net.Sockets;
using System.Text;
using Broker.Core.Provisioning;
using Broker.Testing;

namespace Broker.Providers.Tests.Slurm;

/// <summary>
/// ADR 0015 end to end on the real local cluster: the on-prem batch script, run by Slurm as the team's user, fetches the
/// job's variables from a loopback stand-in for Broker's environment endpoint and exports them before the run section;
/// the value is in the job's own output only, never in the script Slurm stored or its job record.
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmJobEnvironmentTests(SlurmClusterFixture fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Answers GET …/environment with the variables (one <c>NAME BASE64</c> line each) and events with 202; records the tokens.</summary>
    private sealed class FakeBroker : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly string body;

        public FakeBroker(IReadOnlyDictionary<string, string> variables)
        {
            body = string.Concat(variables.Select(v => $"{v.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(v.Value))}\n"));
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
                probe.Stop();
            }
            listener.Prefixes.Add(Url.AbsoluteUri);
            listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public Uri Url { get; }

        public List<string> Fetches { get; } = [];

        private async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                var fetch = context.Request.HttpMethod == "GET" && context.Request.Url!.AbsolutePath.EndsWith("/environment", StringComparison.Ordinal);
                if (fetch)
                {
                    lock (Fetches)
                    {
                        Fetches.Add(context.Request.Headers["Authorization"] ?? "");
                    }
                }
                context.Response.StatusCode = fetch ? 200 : 202;
                var bytes = Encoding.UTF8.GetBytes(fetch ? body : "{}");
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose() => listener.Close();
    }

    [Fact]
    public async Task A_slurm_job_sees_its_secret_and_plain_variables_and_slurm_never_holds_the_value()
    {
        var secret = $"s3cret-{Guid.NewGuid():N} 'q' $(id)";
        using var broker = new FakeBroker(new Dictionary<string, string> { ["HF_TOKEN"] = secret, ["MODE"] = "fast" });
        var allocationId = Guid.NewGuid();
        var tokens = new CallbackTokenSet("v2.1.started-token", "v2.1.notice-token", "v2.1.finished-token");
        var script = OnPremBatchScript.Render(allocationId, broker.Url, tokens,
            "printf 'seen=%s|%s|%s\\n' \"$HF_TOKEN\" \"$MODE\" \"$BROKER_ENV_NAMES\"\n", fetchJobEnvironment: true);
        var user = SlurmServer.TeamUserA;
        var request = new OnPremJobRequest(allocationId, Guid.NewGuid(), "gpu-l4-1", "l4", 1, TimeSpan.FromMinutes(2), script,
            new Dictionary<string, string>(), user, null, fixture.TeamDirectory(user));
        using var slurm = new SlurmTestCluster(fixture);

        var submitted = await slurm.Cluster.SubmitAsync(request, None);
        var done = (await Eventually.ReachAsync(() => slurm.Cluster.GetJobAsync(allocationId, None),
            job => job?.State is OnPremJobState.Completed or OnPremJobState.Failed, "the job to finish"))!;

        var output = await File.ReadAllTextAsync(Path.Combine(fixture.TeamDirectory(user), allocationId.ToString(), "stdout.log"));
        Assert.True(done.State == OnPremJobState.Completed, output);
        Assert.Contains($"seen={secret}|fast|HF_TOKEN MODE\n", output, StringComparison.Ordinal);
        Assert.Equal(["Bearer v2.1.started-token"], broker.Fetches);
        var (_, stored) = await fixture.RunScriptAsync("scontrol", "write", "batch_script", submitted.ClusterJobId, "-");
        var (_, record) = await fixture.RunScriptAsync("scontrol", "show", "job", "-d", submitted.ClusterJobId);
        Assert.Contains("broker_env_fetch", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..20], stored + record + script, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))[..20], stored + record, StringComparison.Ordinal);
    }
}
