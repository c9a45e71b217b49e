using System.Net.Http.Headers;

namespace Broker.Bench.SubmitThroughput.Load;

/// <summary>POST /v1/jobs with a submitter key, a unique name and a unique Idempotency-Key.</summary>
internal sealed class SubmitClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient http;
    private readonly AuthenticationHeaderValue authorization;

    public SubmitClient(Uri baseUrl, string apiKey, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
        };
        http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <returns>The HTTP status (0 when no response came) and, when it is not 2xx, the start of the answer.</returns>
    public async Task<(int Status, string? Problem)> SubmitAsync(string name, string idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs");
        request.Headers.Authorization = authorization;
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        request.Content = new ByteArrayContent(JobBodies.Utf8(name)) { Headers = { ContentType = Json } };
        try
        {
            using var response = await http.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return (status, null);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            return (status, body.Length > 300 ? body[..300] : body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (0, e.GetType().Name + ": " + e.Message);
        }
    }

    public void Dispose() => http.Dispose();
}
