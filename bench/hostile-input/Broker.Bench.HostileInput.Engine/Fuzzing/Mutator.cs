using Broker.HostileInput.Json;
using Broker.HostileInput.Requests;
using static Broker.HostileInput.Fuzzing.BodyMutations;

namespace Broker.HostileInput.Fuzzing;

/// <summary>One step of a fuzz run: the requests to send (several at once for a race) and what was done to them.</summary>
public sealed record FuzzCase(ApiRoute Route, IReadOnlyList<HostileRequest> Requests, string Mutations);

/// <summary>
/// Seeded mutations of valid requests across every route: the same seed gives the same sequence of requests. One case in
/// eight is sent unmutated (so accepted requests, and the rows they write, are part of every run); the others get one to
/// three mutations of the body or of the request around it; one submit in twenty is a race of four requests sharing an
/// Idempotency-Key with different bodies.
/// </summary>
public sealed class Mutator(int seed, HostileTargets targets)
{
    private static readonly (ApiRoute Route, int Weight)[] Routes =
    [
        (ApiRoutes.JobsSubmit, 30), (ApiRoutes.Callback, 12), (ApiRoutes.JobsList, 12), (ApiRoutes.KeysCreate, 8), (ApiRoutes.JobsGet, 6),
        (ApiRoutes.JobsCancel, 4), (ApiRoutes.KeysRevoke, 3), (ApiRoutes.Offers, 6), (ApiRoutes.Utilization, 7), (ApiRoutes.KeysList, 2),
        (ApiRoutes.Providers, 2), (ApiRoutes.Nodes, 2), (ApiRoutes.Preview, 1),
        (ApiRoutes.Audit, 2), (ApiRoutes.Instances, 2), (ApiRoutes.Allocations, 1), (ApiRoutes.CostReport, 2), (ApiRoutes.Summary, 1),
        (ApiRoutes.PoliciesEffective, 1), (ApiRoutes.Me, 1),
    ];

    private readonly Random random = new(seed);
    private int races;

    public FuzzCase Next()
    {
        var route = Weighted(Routes.Select(r => (r.Route, r.Weight)).ToList());
        var draft = Draft.From(route, targets);
        if (route == ApiRoutes.KeysRevoke)
        {
            draft.Path = $"/v1/api-keys/{Pick(random, targets.VictimKeys)}";
        }
        var count = random.Next(8) == 0 ? 0 : 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            if (draft.Body is not null && random.Next(3) > 0)
            {
                var (name, apply) = Weighted(BodyMutations.All.Select(m => ((m.Name, m.Apply), m.Weight)).ToList());
                apply(random, draft);
                draft.Mutations.Add(name);
            }
            else
            {
                var (name, apply) = Weighted(RequestMutations.All.Select(m => ((m.Name, m.Apply), m.Weight)).ToList());
                apply(random, draft, targets);
                draft.Mutations.Add(name);
            }
        }
        if (route == ApiRoutes.JobsSubmit && random.Next(20) == 0)
        {
            return Race(draft);
        }
        return new FuzzCase(route, [draft.ToRequest()], draft.Mutations.Count == 0 ? "none" : string.Join('+', draft.Mutations));
    }

    /// <summary>Four submits at once with one Idempotency-Key: two alike, two with other names.</summary>
    private FuzzCase Race(Draft draft)
    {
        var key = $"race-{seed}-{++races}";
        draft.Headers.RemoveAll(h => h.Key == "Idempotency-Key");
        draft.Headers.Add(new("Idempotency-Key", key));
        var requests = new List<HostileRequest>();
        for (var i = 0; i < 4; i++)
        {
            if (i >= 2 && draft.Body is JObject body && draft.RawBody is null)
            {
                body["name"] = new JText($"race-variant-{i}");
            }
            requests.Add(draft.ToRequest());
        }
        return new FuzzCase(draft.Route, requests, string.Join('+', draft.Mutations.Append("idempotency-race")));
    }

    private T Weighted<T>(IReadOnlyList<(T Item, int Weight)> items)
    {
        var roll = random.Next(items.Sum(i => i.Weight));
        foreach (var (item, weight) in items)
        {
            if ((roll -= weight) < 0)
            {
                return item;
            }
        }
        return items[^1].Item;
    }
}
