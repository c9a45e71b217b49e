using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// Authentication (every keyed route × a table of broken Authorization values: 401) and authorization (every route ×
/// every role its policy refuses: 403; another team's ids: 404; the reads each role may do: 200 and no row changed).
/// </summary>
public static class AccessCases
{
    /// <summary>Broken Authorization values, made from the key the route's valid caller would use.</summary>
    private static readonly (string Name, Func<HostileTargets, string, string?> Header)[] BrokenAuthorization =
    [
        ("no header", (_, _) => null),
        ("scheme only", (_, _) => "Bearer"),
        ("empty bearer", (_, _) => "Bearer "),
        ("basic scheme", (_, _) => "Basic dXNlcjpwYXNzd29yZA=="),
        ("token scheme with a valid key", (_, key) => "Token " + key),
        ("valid key without a scheme", (_, key) => key),
        ("unknown key", (_, _) => "Bearer brk_unknownunknownunknownunknownunknown0000"),
        ("revoked key", (t, _) => "Bearer " + t.RevokedKey),
        ("key without its prefix", (_, key) => "Bearer " + key[4..]),
        ("key with another prefix", (_, key) => "Bearer brx_" + key[4..]),
        ("key with its last character changed", (_, key) => "Bearer " + key[..^1] + (key[^1] == 'A' ? 'B' : 'A')),
        ("key in upper case", (_, key) => "Bearer " + key.ToUpperInvariant()),
        ("key with 260 characters appended", (_, key) => "Bearer " + key + new string('x', 260)),
        ("20000-character key", (_, _) => "Bearer brk_" + new string('x', 20_000)),
        ("NUL after the key", (_, key) => "Bearer " + key + "\0"),
        ("NUL before the key", (_, key) => "Bearer \0" + key),
        ("CR LF and a header after the key", (_, key) => "Bearer " + key + "\r\nX-Role: admin"),
        ("two keys in one value", (t, key) => "Bearer " + key + " " + t.AdminKey),
        ("two Authorization values", (_, key) => "Bearer brk_bad, Bearer " + key),
        ("callback token as a key", (t, _) => "Bearer " + t.CallbackToken("started")),
        ("non-ASCII key", (_, _) => "Bearer brk_\u043a\u043b\u044e\u0447"),
    ];

    public static IEnumerable<HostileCase> Authentication()
    {
        foreach (var route in ApiRoutes.Keyed)
        {
            foreach (var (name, header) in BrokenAuthorization)
            {
                yield return new("authentication", $"{route.Name} with {name}", 401,
                    t => route.Valid(t) with { Authorization = header(t, t.KeyOf(route.Caller)) });
            }
        }
        foreach (var name in new[] { "no header", "unknown key", "revoked key", "NUL after the key" })
        {
            var header = BrokenAuthorization.Single(b => b.Name == name).Header;
            yield return new("authentication", $"hangfire with {name}", 401,
                t => ApiRoutes.Dashboard.Valid(t) with { Authorization = header(t, t.OpsKey) }, ProblemDocument: false);
        }
    }

    public static IEnumerable<HostileCase> Authorization()
    {
        foreach (var route in ApiRoutes.Keyed.Append(ApiRoutes.Dashboard))
        {
            foreach (var role in Roles.Keyed.Where(r => !route.Allowed.Contains(r) && !(route == ApiRoutes.Dashboard && r == Roles.Admin)))
            {
                yield return new("authorization", $"{route.Name} as {role}", 403, t => route.Valid(t, role), route.WritesProblemDocuments);
            }
        }
        foreach (var route in ApiRoutes.Keyed.Append(ApiRoutes.Dashboard).Where(r => !r.Writes))
        {
            foreach (var role in route.Allowed)
            {
                yield return new("authorization", $"{route.Name} as {role} is allowed and changes nothing", 200,
                    t => route.Valid(t, role), ProblemDocument: false);
            }
        }
        foreach (var c in AnotherTeamsIds())
        {
            yield return c;
        }
    }

    /// <summary>BOLA: a submitter reaches another team's job under no spelling of its id; the answer is 404, as for no job.</summary>
    private static IEnumerable<HostileCase> AnotherTeamsIds()
    {
        var spellings = new (string Name, Func<Guid, string> Spell)[]
        {
            ("", id => id.ToString()),
            (" in upper case", id => id.ToString().ToUpperInvariant()),
            (" without dashes", id => id.ToString("N")),
            (" in braces", id => id.ToString("B")),
            (" in parentheses", id => id.ToString("P")),
        };
        foreach (var (name, spell) in spellings)
        {
            yield return new("authorization", $"jobs.get of another team's job{name}", 404,
                t => HostileRequest.Get($"/v1/jobs/{Uri.EscapeDataString(spell(t.OwnJob))}", HostileRequest.Bearer(t.OtherTeamKey)));
            yield return new("authorization", $"jobs.cancel of another team's job{name}", 404,
                t => new HostileRequest { Method = "POST", Path = $"/v1/jobs/{Uri.EscapeDataString(spell(t.OwnJob))}/cancel", Authorization = HostileRequest.Bearer(t.OtherTeamKey) });
        }
        yield return new("authorization", "jobs.get of the second team's job by the first", 404,
            t => HostileRequest.Get($"/v1/jobs/{t.OtherTeamJob}", HostileRequest.Bearer(t.SubmitterKey)));
        yield return new("authorization", "jobs.cancel of the second team's job by the first", 404,
            t => new HostileRequest { Method = "POST", Path = $"/v1/jobs/{t.OtherTeamJob}/cancel", Authorization = HostileRequest.Bearer(t.SubmitterKey) });
        yield return new("authorization", "jobs.list filtered to another team", 400,
            t => HostileRequest.Get($"/v1/jobs?team={HostileTargets.Team}", HostileRequest.Bearer(t.OtherTeamKey)));
        yield return new("authorization", "instance event with another team's API key", 401,
            t => ApiRoutes.Callback.Valid(t) with { Authorization = HostileRequest.Bearer(t.OtherTeamKey) });
        yield return new("authorization", "instance event with the admin key", 401,
            t => ApiRoutes.Callback.Valid(t) with { Authorization = HostileRequest.Bearer(t.AdminKey) });
    }
}
