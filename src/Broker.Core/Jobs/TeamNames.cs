using System.Text.RegularExpressions;

namespace Broker.Core.Jobs;

/// <summary>The one rule for team names: 1 to 64 lower-case letters, digits and '-', starting with a letter or digit.</summary>
public static partial class TeamNames
{
    /// <summary>For <c>[RegularExpression]</c>; <c>\z</c>, not <c>$</c>, so a trailing line feed never passes.</summary>
    public const string Pattern = @"^[a-z0-9][a-z0-9-]*\z";

    public const int MaxLength = 64;

    public static bool IsValid(string? team) => team is { Length: > 0 and <= MaxLength } && Rule().IsMatch(team);

    [GeneratedRegex(Pattern)]
    private static partial Regex Rule();
}
