using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Providers.Tests.Aws.Fake;

/// <summary>
/// In-process EC2 on 127.0.0.1 (Kestrel, port 0) speaking the Query API: form POSTs with <c>Action=...</c>, XML answers in
/// the 2016-11-15 namespace. The region of a call is read from the SigV4 credential scope. Records every call.
/// </summary>
public sealed class FakeEc2Server : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<Ec2Call> calls = [];
    private readonly Lock gate = new();
    private long requests;

    private FakeEc2Server(WebApplication app, TimeProvider clock)
    {
        this.app = app;
        Cloud = new FakeEc2Cloud(clock);
    }

    public FakeEc2Cloud Cloud { get; }

    public FakeEc2Faults Faults { get; } = new();

    public string ServiceUrl { get; private set; } = "";

    public IReadOnlyList<Ec2Call> Calls
    {
        get
        {
            lock (gate)
            {
                return [.. calls];
            }
        }
    }

    public IReadOnlyList<Ec2Call> CallsTo(string action) => Calls.Where(c => c.Action == action).ToList();

    public static async Task<FakeEc2Server> StartAsync(TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeEc2Server(app, clock ?? TimeProvider.System);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.ServiceUrl = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single();
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var parameters = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var action = parameters.GetValueOrDefault("Action") ?? "";
        var call = new Ec2Call(action, RegionOf(context.Request), parameters, context.Request.Headers["amz-sdk-request"].FirstOrDefault());
        lock (gate)
        {
            calls.Add(call);
        }
        var requestId = $"req-{Interlocked.Increment(ref requests):D8}";
        var fault = Faults.Take(action, parameters.GetValueOrDefault("InstanceType"), call.Region);
        if (fault is { RawStatus: { } rawStatus })
        {
            context.Response.StatusCode = rawStatus;
            await context.Response.WriteAsync(fault.Message);
            return;
        }
        if (fault is { Code: { } code })
        {
            await WriteError(context, new Ec2Error(code, fault.Message), requestId);
            return;
        }
        XElement body;
        try
        {
            body = Cloud.Handle(action, call.Region, new Ec2Query(parameters), requestId);
        }
        catch (Ec2Error error)
        {
            await WriteError(context, error, requestId);
            return;
        }
        switch (fault?.Lost)
        {
            case LostResponse.AbortConnection:
                context.Abort();
                return;
            case LostResponse.InternalError:
                await WriteError(context, new Ec2Error("InternalError", "An internal error has occurred"), requestId);
                return;
        }
        context.Response.ContentType = "text/xml;charset=UTF-8";
        await context.Response.WriteAsync(new XDocument(new XDeclaration("1.0", "UTF-8", null), body).ToString(), Encoding.UTF8);
    }

    private static Task WriteError(HttpContext context, Ec2Error error, string requestId)
    {
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "text/xml;charset=UTF-8";
        return context.Response.WriteAsync(Ec2Xml.Error(error.Code, error.Message, requestId), Encoding.UTF8);
    }

    /// <summary>From <c>Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/ec2/aws4_request, ...</c>.</summary>
    private static string RegionOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }
        var scope = authorization[(start + "Credential=".Length)..].Split(',')[0].Split('/');
        return scope.Length > 2 ? scope[2] : "";
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
