using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Broker.Cli.Api;

/// <summary>An answer: the typed part the CLI reads and the body exactly as Broker sent it (what <c>--json</c> prints).</summary>
public sealed record ApiResponse<T>(T Value, string Json, int Status);

/// <summary>One Server-Sent Event of a followed log: <c>meta</c>, <c>line</c> or <c>end</c>, with its JSON data.</summary>
public sealed record LogEvent(string Kind, string Data);

/// <summary>
/// A small typed client of Broker's public API. Every request is built from an <see cref="ApiCall"/>, whose method, path and
/// query parameters the contract test checks against Broker's OpenAPI document.
/// </summary>
public sealed class BrokerClient(HttpClient http) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    public static BrokerClient Create(string url, string apiKey, Func<HttpMessageHandler>? handler)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"'{url}' is not an http(s) URL of Broker; run 'broker login --url https://broker.example.com'.");
        }
        var client = handler is null ? new HttpClient() : new HttpClient(handler(), disposeHandler: true);
        client.BaseAddress = baseAddress;
        client.Timeout = Timeout.InfiniteTimeSpan;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("broker-cli", typeof(BrokerClient).Assembly.GetName().Version?.ToString(3)));
        return new BrokerClient(client);
    }

    public Task<ApiResponse<T>> GetAsync<T>(ApiCall call, string? id, IEnumerable<KeyValuePair<string, string?>> query, CancellationToken ct) =>
        SendAsync<T>(call, id, query, null, null, ct);

    public async Task<ApiResponse<T>> SendAsync<T>(ApiCall call, string? id, IEnumerable<KeyValuePair<string, string?>> query,
        string? jsonBody, IReadOnlyDictionary<string, string>? headers, CancellationToken ct)
    {
        using var request = Build(call, id, query, jsonBody, headers);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw ApiRefusedException.From(response.StatusCode, body, response.Content.Headers.ContentType?.MediaType);
            }
            var value = JsonSerializer.Deserialize<T>(body, JsonSerializerOptions.Web)
                ?? throw new BrokerUnreachableException($"{call.Method} {call.Path} answered an empty body.");
            return new ApiResponse<T>(value, body, (int)response.StatusCode);
        }
        catch (JsonException e)
        {
            throw new BrokerUnreachableException($"{call.Method} {call.Path} answered something that is not Broker's JSON: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new BrokerUnreachableException($"Broker did not answer {call.Method} {call.Path} within {RequestTimeout.TotalSeconds:0} s.", e);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
    }

    /// <summary>Follows a segment's log as Server-Sent Events until Broker sends <c>end</c> (or the stream closes).</summary>
    public async IAsyncEnumerable<LogEvent> FollowLogsAsync(string id, IEnumerable<KeyValuePair<string, string?>> query,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = Build(ApiCalls.JobLogs, id, query.Append(new("follow", "true")), null, null);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw ApiRefusedException.From(response.StatusCode, await response.Content.ReadAsStringAsync(ct),
                    response.Content.Headers.ContentType?.MediaType);
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
            string? kind = null;
            var data = new StringBuilder();
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(ct);
                }
                catch (IOException e)
                {
                    throw new BrokerUnreachableException("The log stream from Broker broke off: " + e.Message, e);
                }
                if (line is null)
                {
                    yield break;
                }
                if (line.Length == 0)
                {
                    if (kind is not null)
                    {
                        yield return new LogEvent(kind, data.ToString());
                        if (kind == "end")
                        {
                            yield break;
                        }
                    }
                    kind = null;
                    data.Clear();
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    kind = line["event:".Length..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(data.Length > 0 ? "\n" : "").Append(line["data:".Length..].TrimStart(' '));
                }
            }
        }
    }

    public void Dispose() => http.Dispose();

    private static HttpRequestMessage Build(ApiCall call, string? id, IEnumerable<KeyValuePair<string, string?>> query, string? jsonBody,
        IReadOnlyDictionary<string, string>? headers)
    {
        var path = new StringBuilder(call.Resolve(id).TrimStart('/'));
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (!call.Query.Contains(name))
            {
                throw new InvalidOperationException($"{call.Method} {call.Path} does not declare the query parameter '{name}'.");
            }
            if (value is null)
            {
                continue;
            }
            path.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        var request = new HttpRequestMessage(new HttpMethod(call.Method), new Uri(path.ToString(), UriKind.Relative));
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    private static BrokerUnreachableException Unreachable(HttpRequestException e) =>
        new($"Cannot reach Broker: {e.Message}{(e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $" ({inner.Message})" : "")}", e);
}
