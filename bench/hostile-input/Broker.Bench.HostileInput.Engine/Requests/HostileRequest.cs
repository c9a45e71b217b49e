using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Broker.HostileInput.Json;

namespace Broker.HostileInput.Requests;

/// <summary>
/// One HTTP request, byte for byte: the raw Authorization value, any headers, any content type (or none), any body bytes.
/// Built without the client's header validation, so NUL, CR/LF and malformed media types reach the server as written.
/// </summary>
public sealed record HostileRequest
{
    public required string Method { get; init; }

    /// <summary>Path and query, percent-encoded where the case wants encoding.</summary>
    public required string Path { get; init; }

    /// <summary>The whole Authorization header value, or null for none.</summary>
    public string? Authorization { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The Content-Type header value, or null for none.</summary>
    public string? ContentType { get; init; }

    public byte[]? Body { get; init; }

    /// <summary>Send the body without a Content-Length (chunked), so size limits must catch it while reading.</summary>
    public bool Chunked { get; init; }

    public static string Bearer(string key) => "Bearer " + key;

    public static HostileRequest Get(string path, string? authorization) => new() { Method = "GET", Path = path, Authorization = authorization };

    public static HostileRequest Json(string method, string path, JNode body, string? authorization) =>
        Text(method, path, body.ToJson(), authorization);

    public static HostileRequest Text(string method, string path, string body, string? authorization, string? contentType = "application/json") =>
        new() { Method = method, Path = path, Authorization = authorization, ContentType = contentType, Body = Encoding.UTF8.GetBytes(body) };

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(Path, UriKind.Relative));
        if (Authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", Authorization);
        }
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (Body is not null)
        {
            message.Content = Chunked ? new StreamContent(new UnsizedStream(Body)) : new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
            if (Chunked)
            {
                message.Headers.TransferEncodingChunked = true;
            }
        }
        else if (ContentType is not null)
        {
            message.Content = new ByteArrayContent([]);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }
        return message;
    }

    /// <summary>One printable line for reports: controls escaped, long values cut.</summary>
    public string Describe()
    {
        var text = new StringBuilder().Append(Method).Append(' ').Append(Cut(Path, 200));
        if (Authorization is not null)
        {
            text.Append(" [Authorization: ").Append(Cut(Authorization, 60)).Append(']');
        }
        foreach (var (name, value) in Headers)
        {
            text.Append(" [").Append(name).Append(": ").Append(Cut(value, 60)).Append(']');
        }
        if (ContentType is not null)
        {
            text.Append(" [Content-Type: ").Append(Cut(ContentType, 80)).Append(']');
        }
        if (Body is not null)
        {
            text.Append(Chunked ? " chunked " : " ").Append(Body.Length.ToString(CultureInfo.InvariantCulture)).Append(" B: ")
                .Append(Cut(Encoding.UTF8.GetString(Body), 300));
        }
        return text.ToString();
    }

    private static string Cut(string value, int max)
    {
        var printable = new StringBuilder();
        foreach (var c in value.Length > max ? value[..max] : value)
        {
            printable.Append(c < ' ' || c == '\u007f' || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return value.Length > max ? printable + $"…({value.Length.ToString(CultureInfo.InvariantCulture)} chars)" : printable.ToString();
    }

    /// <summary>A stream that does not know its length, so HttpClient sends it chunked.</summary>
    private sealed class UnsizedStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}

public static class MediaTypes
{
    public static bool IsProblemJson(MediaTypeHeaderValue? type) =>
        string.Equals(type?.MediaType, "application/problem+json", StringComparison.OrdinalIgnoreCase);
}
