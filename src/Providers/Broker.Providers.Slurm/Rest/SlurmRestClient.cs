using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Slurm.Rest;

/// <summary>
/// Thin typed client over the slurmrestd <c>openapi/v0.0.38</c> endpoints Broker uses. Every failure surfaces as
/// <see cref="SlurmApiException"/> with a <see cref="SlurmFailureKind"/>; messages name the endpoint, never the token.
/// </summary>
internal sealed class SlurmRestClient(HttpClient http, IOptionsMonitor<SlurmOptions> options, TimeProvider time)
{
    private const string Api = "slurm/v0.0.38/";

    public async Task<IReadOnlyList<SlurmNode>> GetNodesAsync(CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, Api + "nodes", null, SlurmJsonContext.Default.SlurmNodesResponse, ct)).Nodes ?? [];

    public async Task<SlurmNode?> GetNodeAsync(string name, CancellationToken ct)
    {
        try
        {
            var response = await SendAsync(HttpMethod.Get, Api + "node/" + Uri.EscapeDataString(name), null,
                SlurmJsonContext.Default.SlurmNodesResponse, ct);
            return response.Nodes?.FirstOrDefault(n => n.Name == name);
        }
        catch (SlurmApiException ex) when (ex.Kind == SlurmFailureKind.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<SlurmJob>> GetJobsAsync(CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, Api + "jobs", null, SlurmJsonContext.Default.SlurmJobsResponse, ct)).Jobs ?? [];

    /// <summary>The job, or null when slurmctld no longer knows it (unknown id or aged out after MinJobAge).</summary>
    public async Task<SlurmJob?> GetJobAsync(long jobId, CancellationToken ct)
    {
        try
        {
            var response = await SendAsync(HttpMethod.Get, Api + "job/" + jobId.ToString(CultureInfo.InvariantCulture), null,
                SlurmJsonContext.Default.SlurmJobsResponse, ct);
            return response.Jobs?.FirstOrDefault(j => j.JobId == jobId);
        }
        catch (SlurmApiException ex) when (ex.Kind == SlurmFailureKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Submits the batch job on behalf of <paramref name="userName"/>: Broker's own token with <c>X-SLURM-USER-NAME</c> set to
    /// that user, which slurmctld honours only for a token of root or the SlurmUser (ADR 0005). The job runs as that user.
    /// </summary>
    public async Task<long> SubmitJobAsync(SlurmJobSubmission submission, string userName, CancellationToken ct)
    {
        // A buffered body with Content-Length: slurmrestd does not accept chunked transfer encoding.
        var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(submission, SlurmJsonContext.Default.SlurmJobSubmission));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await SendAsync(HttpMethod.Post, Api + "job/submit", body, SlurmJsonContext.Default.SlurmJobSubmissionResponse, ct,
            actingFor: userName);
        var errors = response.Errors ?? [];
        if (response.JobId is not { } jobId || errors.Count > 0)
        {
            throw Failure(HttpStatusCode.OK, errors, "POST job/submit", userName);
        }
        return jobId;
    }

    /// <summary>Cancels (SIGKILL) the job; false when it was unknown or already finished.</summary>
    public async Task<bool> CancelJobAsync(long jobId, CancellationToken ct)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, Api + "job/" + jobId.ToString(CultureInfo.InvariantCulture), null,
                SlurmJsonContext.Default.SlurmErrorsResponse, ct);
            return true;
        }
        catch (SlurmApiException ex) when (ex.Kind == SlurmFailureKind.NotFound)
        {
            return false;
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken ct,
        string? actingFor = null)
    {
        var current = options.CurrentValue;
        var what = $"{method} {path.Replace(Api, "", StringComparison.Ordinal)}";
        if (current.BaseUrl is null)
        {
            throw new SlurmApiException(SlurmFailureKind.AuthRejected, null, "Slurm:BaseUrl is not configured");
        }
        var baseUrl = current.BaseUrl.AbsoluteUri.EndsWith('/') ? current.BaseUrl : new Uri(current.BaseUrl.AbsoluteUri + "/");
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path)) { Content = content };
        request.Headers.TryAddWithoutValidation("X-SLURM-USER-NAME", actingFor ?? current.UserName);
        if (!string.IsNullOrEmpty(current.Token))
        {
            // Without the header slurmrestd answers 401, which is clearer than the 500 an empty token gets.
            request.Headers.TryAddWithoutValidation("X-SLURM-USER-TOKEN", current.Token);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(current.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response.StatusCode, ReadErrors(text), what, actingFor);
            }
            return JsonSerializer.Deserialize(text, type) ?? throw new JsonException("empty body");
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new SlurmApiException(SlurmFailureKind.Unreachable, null,
                $"slurmrestd at {current.BaseUrl} did not answer {what} within {current.RequestTimeout.TotalSeconds:0.#} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SlurmApiException(SlurmFailureKind.Unreachable, null, $"cannot reach slurmrestd at {current.BaseUrl}: {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            throw new SlurmApiException(SlurmFailureKind.Unreachable, null, $"slurmrestd gave an unreadable answer to {what}: {ex.Message}", ex);
        }
    }

    private SlurmApiException Failure(HttpStatusCode status, IReadOnlyList<SlurmError> errors, string what, string? actingFor = null)
    {
        var current = options.CurrentValue;
        var kind = SlurmErrorClassifier.Classify(status, errors);
        var details = SlurmErrorClassifier.Describe(errors);
        var number = errors.Select(e => e.Number).OfType<int>().Cast<int?>().FirstOrDefault();
        var tokenProblem = SlurmTokenCheck.FindProblem(current.Token, current.UserName, time.GetUtcNow());
        if (actingFor is not null && actingFor != current.UserName)
        {
            what += $" for user '{actingFor}' (slurmctld lets only a token of root or the SlurmUser act for another user)";
        }
        if (kind == SlurmFailureKind.AuthRejected)
        {
            return new SlurmApiException(kind, number,
                $"slurmrestd refused the credentials of user '{current.UserName}' ({(int)status}, {details}): "
                + (tokenProblem ?? "the Slurm token is wrong or expired") + "; issue a new one with `scontrol token` and set Slurm:Token");
        }
        if (kind == SlurmFailureKind.Unreachable && SlurmErrorClassifier.IsAmbiguousRejection(errors))
        {
            kind = tokenProblem is null ? kind : SlurmFailureKind.AuthRejected;
            return new SlurmApiException(kind, number, tokenProblem is null
                ? $"slurmctld did not accept {what} through slurmrestd ({details}): the Slurm token is wrong or expired, or slurmctld is down"
                : $"slurmctld refused {what} ({details}): {tokenProblem}; issue a new one with `scontrol token` and set Slurm:Token");
        }
        return new SlurmApiException(kind, number, $"slurmrestd answered {what} with {(int)status}: {details}");
    }

    private static IReadOnlyList<SlurmError> ReadErrors(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, SlurmJsonContext.Default.SlurmErrorsResponse)?.Errors ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
