using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Broker.Providers.Gcp.Auth;

namespace Broker.Providers.Gcp.Compute;

/// <summary>
/// A small typed client for the Compute Engine REST API v1 (instances, zone operations). It does not retry: failures
/// surface as <see cref="GcpApiException"/> (HTTP or operation errors), <see cref="HttpRequestException"/> (network) or
/// <see cref="TimeoutException"/> (an operation that did not finish within <see cref="GcpOptions.OperationTimeout"/>).
/// </summary>
public sealed class GcpComputeClient
{
    private readonly HttpClient http;
    private readonly IGcpAccessTokenProvider tokens;
    private readonly GcpOptions options;
    private readonly TimeProvider clock;
    private readonly Uri baseUrl;

    public GcpComputeClient(HttpClient http, IGcpAccessTokenProvider tokens, GcpOptions options, TimeProvider clock)
    {
        this.http = http;
        this.tokens = tokens;
        this.options = options;
        this.clock = clock;
        var url = options.BaseUrl.ToString();
        baseUrl = new Uri(url.EndsWith('/') ? url : url + "/");
    }

    public async Task<GceOperation> InsertInstanceAsync(string project, string zone, GceInstance body, Guid requestId,
        CancellationToken cancellationToken) =>
        (await SendAsync<GceOperation>(HttpMethod.Post, $"projects/{project}/zones/{zone}/instances?requestId={requestId}",
            body, notFoundIsNull: false, cancellationToken))!;

    /// <summary>Inserts a regional resource policy; the answer is a region operation.</summary>
    public async Task<GceOperation> InsertResourcePolicyAsync(string project, string region, GceResourcePolicy body, Guid requestId,
        CancellationToken cancellationToken) =>
        (await SendAsync<GceOperation>(HttpMethod.Post, $"projects/{project}/regions/{region}/resourcePolicies?requestId={requestId}",
            body, notFoundIsNull: false, cancellationToken))!;

    /// <summary>Every resource policy of a region, following <c>nextPageToken</c>.</summary>
    public async Task<IReadOnlyList<GceListedResourcePolicy>> ListResourcePoliciesAsync(string project, string region, CancellationToken cancellationToken)
    {
        var all = new List<GceListedResourcePolicy>();
        string? pageToken = null;
        do
        {
            var path = $"projects/{project}/regions/{region}/resourcePolicies" + (pageToken is null ? "" : "?pageToken=" + Uri.EscapeDataString(pageToken));
            var page = (await SendAsync<GceResourcePolicyList>(HttpMethod.Get, path, null, notFoundIsNull: false, cancellationToken))!;
            all.AddRange(page.Items ?? []);
            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        }
        while (pageToken is not null);
        return all;
    }

    /// <summary>The delete's region operation, or null when the policy does not exist.</summary>
    public Task<GceOperation?> DeleteResourcePolicyAsync(string project, string region, string name, CancellationToken cancellationToken) =>
        SendAsync<GceOperation>(HttpMethod.Delete, $"projects/{project}/regions/{region}/resourcePolicies/{name}", null,
            notFoundIsNull: true, cancellationToken);

    /// <summary>regionOperations.wait until DONE, as <see cref="WaitZoneOperationAsync"/> for zones.</summary>
    public async Task<GceOperation> WaitRegionOperationAsync(string project, string region, string operation, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + options.OperationTimeout;
        while (true)
        {
            var current = (await SendAsync<GceOperation>(HttpMethod.Post,
                $"projects/{project}/regions/{region}/operations/{operation}/wait", null, notFoundIsNull: false, cancellationToken))!;
            if (current.IsDone)
            {
                return current.Failed ? throw GcpApiException.ForFailedOperation(current) : current;
            }
            if (clock.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"operation {operation} in {region} is still {current.Status} after {options.OperationTimeout}");
            }
            if (options.OperationPollInterval > TimeSpan.Zero)
            {
                await Task.Delay(options.OperationPollInterval, clock, cancellationToken);
            }
        }
    }

    /// <summary>The instance, or null when it does not exist.</summary>
    public Task<GceInstance?> GetInstanceAsync(string project, string zone, string name, CancellationToken cancellationToken) =>
        SendAsync<GceInstance>(HttpMethod.Get, $"projects/{project}/zones/{zone}/instances/{name}", null, notFoundIsNull: true,
            cancellationToken);

    /// <summary>The delete operation, or null when the instance does not exist.</summary>
    public Task<GceOperation?> DeleteInstanceAsync(string project, string zone, string name, Guid requestId,
        CancellationToken cancellationToken) =>
        SendAsync<GceOperation>(HttpMethod.Delete, $"projects/{project}/zones/{zone}/instances/{name}?requestId={requestId}",
            null, notFoundIsNull: true, cancellationToken);

    public async Task<GceInstanceAggregatedList> AggregatedListInstancesAsync(string project, string? filter, string? pageToken,
        CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(filter))
        {
            query.Add("filter=" + Uri.EscapeDataString(filter));
        }
        if (!string.IsNullOrEmpty(pageToken))
        {
            query.Add("pageToken=" + Uri.EscapeDataString(pageToken));
        }
        var path = $"projects/{project}/aggregated/instances" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        return (await SendAsync<GceInstanceAggregatedList>(HttpMethod.Get, path, null, notFoundIsNull: false, cancellationToken))!;
    }

    /// <summary>Every instance matching <paramref name="filter"/>, following <c>nextPageToken</c> through all pages.</summary>
    public async Task<IReadOnlyList<GceInstance>> ListAllInstancesAsync(string project, string? filter, CancellationToken cancellationToken)
    {
        var all = new List<GceInstance>();
        string? pageToken = null;
        do
        {
            var page = await AggregatedListInstancesAsync(project, filter, pageToken, cancellationToken);
            all.AddRange((page.Items ?? new Dictionary<string, GceInstancesScopedList>()).Values
                .SelectMany(scope => scope.Instances ?? []));
            pageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));
        return all;
    }

    public async Task<GceOperation> GetZoneOperationAsync(string project, string zone, string operation,
        CancellationToken cancellationToken) =>
        (await SendAsync<GceOperation>(HttpMethod.Get, $"projects/{project}/zones/{zone}/operations/{operation}", null,
            notFoundIsNull: false, cancellationToken))!;

    /// <summary>
    /// Calls zoneOperations.wait (which returns after at most two minutes, DONE or not) until the operation is DONE.
    /// A DONE operation with <c>error.errors[]</c> throws <see cref="GcpApiException"/>.
    /// </summary>
    public async Task<GceOperation> WaitZoneOperationAsync(string project, string zone, string operation,
        CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + options.OperationTimeout;
        while (true)
        {
            var current = (await SendAsync<GceOperation>(HttpMethod.Post,
                $"projects/{project}/zones/{zone}/operations/{operation}/wait", null, notFoundIsNull: false, cancellationToken))!;
            if (current.IsDone)
            {
                return current.Failed ? throw GcpApiException.ForFailedOperation(current) : current;
            }
            if (clock.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"operation {operation} in {zone} is still {current.Status} after {options.OperationTimeout}");
            }
            if (options.OperationPollInterval > TimeSpan.Zero)
            {
                await Task.Delay(options.OperationPollInterval, clock, cancellationToken);
            }
        }
    }

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, object? body, bool notFoundIsNull,
        CancellationToken cancellationToken) where T : class
    {
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AccessTokenAsync(cancellationToken));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: GcpJson.Options);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return await response.Content.ReadFromJsonAsync<T>(GcpJson.Options, cancellationToken)
                ?? throw new GcpApiException((int)response.StatusCode, [], $"empty response to {method} {path}", fromOperation: false);
        }
        if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        throw await GcpApiException.FromResponseAsync(response, clock, cancellationToken);
    }

    private async Task<string> AccessTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await tokens.GetAccessTokenAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only the exception type goes into the message; the inner exception stays for diagnostics.
            throw new GcpApiException(401, ["credentialsUnavailable"], $"no access token ({e.GetType().Name})",
                fromOperation: false, inner: e);
        }
    }
}
