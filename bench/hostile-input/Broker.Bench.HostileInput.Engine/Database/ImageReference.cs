using System.Text.RegularExpressions;

namespace Broker.HostileInput.Database;

/// <summary>
/// The OCI distribution reference grammar (distribution/reference): <c>[domain[:port]/]path[:tag][@digest]</c>, with the
/// docker rule that the first component is a registry only when it has a '.' or ':' or is <c>localhost</c>; everything
/// else is a repository path, lower case only.
/// </summary>
public static partial class ImageReference
{
    public const int MaxNameLength = 255;

    public static bool IsValid(string reference)
    {
        var match = Reference().Match(reference);
        if (!match.Success)
        {
            return false;
        }
        var name = match.Groups["name"].Value;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? name : name[..slash];
        var isDomain = slash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        var path = isDomain ? name[(slash + 1)..] : name;
        return name.Length <= MaxNameLength && (isDomain ? Domain().IsMatch(first) : true) && Path().IsMatch(path);
    }

    private const string Component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";

    [GeneratedRegex(@"\A(?<name>[^:@/]+(?::[0-9]+)?(?:/[^:@/]+)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\z")]
    private static partial Regex Reference();

    [GeneratedRegex(@"\A" + DomainComponent + @"(?:\." + DomainComponent + @")*(?::[0-9]+)?\z")]
    private static partial Regex Domain();

    [GeneratedRegex(@"\A" + Component + "(?:/" + Component + @")*\z")]
    private static partial Regex Path();
}
