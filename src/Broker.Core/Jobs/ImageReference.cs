using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Core.Jobs;

/// <summary>
/// A container image reference by the OCI distribution grammar (github.com/distribution/reference):
/// <c>[registry[:port]/]path[:tag][@algorithm:hex]</c>. The first component is a registry only when it holds a <c>.</c> or a
/// <c>:</c> or is <c>localhost</c>; every path component is lower-case letters and digits joined by <c>.</c>, <c>_</c>,
/// <c>__</c> or dashes; a tag is 1-128 of <c>[A-Za-z0-9_.-]</c> not starting with <c>.</c> or <c>-</c>; the name is at most
/// 255 characters. Stricter than Docker's own parser in one way: a first component with upper-case letters is not taken
/// as a registry host (Docker would), so <c>Acme/train</c> is refused as an upper-case repository instead of sending a
/// pull to a host named <c>Acme</c>.
/// </summary>
public sealed partial record ImageReference(string? Registry, string Repository, string? Tag, string? Digest)
{
    public const int MaxLength = 512;
    public const int MaxNameLength = 255;

    public const string Rule = "An image is an OCI reference: [registry[:port]/]name[:tag][@sha256:<64 hex>], with a lower-case "
        + "name of components joined by '/', e.g. ghcr.io/acme/train:1.4.";

    public override string ToString() =>
        (Registry is null ? "" : Registry + "/") + Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    public static bool IsValid(string? text) => TryParse(text, out _, out _);

    public static bool TryParse(string? text, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = Check(text, out var parsed);
        reference = parsed;
        return error is null;
    }

    private static string? Check(string? text, out ImageReference? reference)
    {
        reference = null;
        if (string.IsNullOrEmpty(text))
        {
            return "The image is empty.";
        }
        if (text.Length > MaxLength)
        {
            return $"The image reference is longer than {MaxLength} characters.";
        }
        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "The image reference contains white space or control characters.";
        }
        if (text[0] == '-')
        {
            return "The image reference starts with '-' (an option, not an image).";
        }
        var (nameAndTag, digest) = SplitFirst(text, '@');
        if (digest is not null && DigestError(digest) is { } digestError)
        {
            return digestError;
        }
        var lastSlash = nameAndTag.LastIndexOf('/');
        var colon = nameAndTag.LastIndexOf(':');
        string? tag = null;
        var name = nameAndTag;
        if (colon > lastSlash)
        {
            tag = nameAndTag[(colon + 1)..];
            name = nameAndTag[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                return "The tag is 1-128 letters, digits, '_', '.' or '-', and does not start with '.' or '-'.";
            }
        }
        if (name.Length == 0)
        {
            return "The image has no name.";
        }
        if (name.Length > MaxNameLength)
        {
            return $"The image name is longer than {MaxNameLength} characters.";
        }
        string? registry = null;
        var path = name;
        var firstSlash = name.IndexOf('/', StringComparison.Ordinal);
        if (firstSlash > 0 && IsRegistry(name[..firstSlash]))
        {
            registry = name[..firstSlash];
            path = name[(firstSlash + 1)..];
            if (RegistryError(registry) is { } registryError)
            {
                return registryError;
            }
        }
        foreach (var component in path.Split('/'))
        {
            if (!PathComponentPattern().IsMatch(component))
            {
                return component.Any(char.IsAsciiLetterUpper)
                    ? "The repository name must be lower-case."
                    : "Each '/'-separated part of the name is lower-case letters and digits joined by '.', '_', '__' or '-'.";
            }
        }
        reference = new ImageReference(registry, path, tag, digest);
        return null;
    }

    private static (string Before, string? After) SplitFirst(string text, char separator)
    {
        var at = text.IndexOf(separator, StringComparison.Ordinal);
        return at < 0 ? (text, null) : (text[..at], text[(at + 1)..]);
    }

    private static bool IsRegistry(string first) =>
        first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost";

    private static string? RegistryError(string registry)
    {
        var match = RegistryPattern().Match(registry);
        if (!match.Success)
        {
            return "The registry is a host name or [IPv6] address with an optional :port.";
        }
        var port = match.Groups["port"];
        return port.Success && !(int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535)
            ? "The registry port is between 1 and 65535."
            : null;
    }

    private static string? DigestError(string digest)
    {
        var match = DigestPattern().Match(digest);
        if (!match.Success)
        {
            return "The digest is algorithm:hex, e.g. sha256: and 64 hex digits.";
        }
        var (algorithm, hex) = (match.Groups["algorithm"].Value, match.Groups["hex"].Value);
        return algorithm switch
        {
            "sha256" when !LowerHex(hex, 64) => "A sha256 digest is 64 lower-case hex digits.",
            "sha512" when !LowerHex(hex, 128) => "A sha512 digest is 128 lower-case hex digits.",
            _ => null,
        };
    }

    private static bool LowerHex(string hex, int length) => hex.Length == length && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    // Explicit ASCII classes and \z: in .NET, \w and \d match non-ASCII letters and digits, and $ matches before a final newline.
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathComponentPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^(?:(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*|\[[A-Fa-f0-9:]+\])(?::(?<port>[0-9]{1,5}))?\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex RegistryPattern();

    [GeneratedRegex(@"^(?<algorithm>[a-z0-9]+(?:[+._-][a-z0-9]+)*):(?<hex>[A-Fa-f0-9]{32,})\z", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();
}
