using System.Globalization;
using Broker.Api.Endpoints;
using Broker.Core.Capacity;
using Broker.Core.Fleet;
using Broker.Core.Jobs;
using Broker.Core.Provisioning;

namespace Broker.Api.Contracts;

/// <summary>
/// Query string of <c>GET /v1/instances</c> and <c>GET /v1/allocations</c>. Every filter takes one value or a comma list;
/// each bad value is a 400 naming its parameter.
/// </summary>
public sealed record FleetListQuery(string? Provider, string? Region, string? Market, string? State, string? Team, string? JobId,
    string? Cursor, string? Limit)
{
    private static readonly AllocationState[] Live =
        [AllocationState.Requested, AllocationState.Provisioning, AllocationState.Running, AllocationState.Releasing];

    /// <param name="providers">The providers that may be named.</param>
    /// <param name="instances">The instances view: cloud only, and live ones unless <c>state</c> says otherwise.</param>
    public (FleetFilter? Filter, Dictionary<string, string[]> Errors) ToFilter(IReadOnlyCollection<string> providers, bool instances)
    {
        var errors = new Dictionary<string, string[]>();
        var states = new List<AllocationState>();
        var all = false;
        foreach (var word in Words(State))
        {
            if (word == "all")
            {
                all = true;
            }
            else if (Enum.TryParse<AllocationState>(word, ignoreCase: true, out var state) && !word.Any(char.IsAsciiDigit))
            {
                states.Add(state);
            }
            else
            {
                errors["state"] = [$"Unknown state '{Shown(word)}'. States: {string.Join(", ", Enum.GetValues<AllocationState>().Select(JsonNaming.Wire))}, or all."];
            }
        }
        if (all || (states.Count == 0 && !instances))
        {
            states.Clear();
        }
        else if (states.Count == 0)
        {
            states.AddRange(Live);
        }
        var named = Words(Provider).ToList();
        if (named.FirstOrDefault(p => !providers.Contains(p)) is { } unknown)
        {
            errors["provider"] = [$"Unknown provider '{Shown(unknown)}'. Providers: {string.Join(", ", providers)}."];
        }
        var regions = Words(Region).ToList();
        if (regions.FirstOrDefault(r => r.Length > 64 || !r.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) is { } bad)
        {
            errors["region"] = [$"'{Shown(bad)}' is not a region name (lower-case letters, digits and '-', such as us-east-1)."];
        }
        var markets = new List<CapacityType>();
        foreach (var word in Words(Market))
        {
            var market = word switch
            {
                "spot" => CapacityType.Spot,
                "ondemand" or "on-demand" => CapacityType.OnDemand,
                "onprem" when !instances => CapacityType.OnPrem,
                _ => (CapacityType?)null,
            };
            if (market is { } m)
            {
                markets.Add(m);
            }
            else
            {
                errors["market"] = [$"Unknown market '{Shown(word)}'. Markets: spot, ondemand{(instances ? "" : ", onprem")}."];
            }
        }
        var teams = Words(Team).ToList();
        if (teams.FirstOrDefault(t => !TeamNames.IsValid(t)) is { } badTeam)
        {
            errors["team"] = [$"'{Shown(badTeam)}' is not a team name (1 to 64 lower-case letters, digits and '-')."];
        }
        Guid? jobId = null;
        if (JobId is not null)
        {
            jobId = Guid.TryParse(JobId, out var id) ? id : null;
            if (jobId is null)
            {
                errors["jobId"] = ["jobId is the id of a job (a UUID)."];
            }
        }
        FleetCursor? after = null;
        if (Cursor is not null && !FleetCursors.TryDecode(Cursor, out after))
        {
            errors["cursor"] = ["The cursor is not one this API handed out."];
        }
        var limit = JobsEndpoints.DefaultLimit;
        if (Limit is not null && !(int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1))
        {
            errors["limit"] = [$"The limit is a whole number between 1 and {JobsEndpoints.MaxLimit} (larger ones are capped)."];
        }
        return errors.Count > 0
            ? (null, errors)
            : (new FleetFilter(states.Distinct().ToList(), named, regions, markets, teams, jobId, instances, after,
                Math.Min(limit, JobsEndpoints.MaxLimit)), errors);
    }

    private static IEnumerable<string> Words(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal);

    /// <summary>A refused value as the message shows it: short, and without control characters.</summary>
    private static string Shown(string value) => new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}
