using Broker.Core.Placement;

namespace Broker.Core.Tests.Placement;

/// <summary>The pool index that replaced sorted sets must pick the same node a sorted set of (value, node) would.</summary>
public sealed class NodeTournamentTests
{
    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 37)]
    [InlineData(true, 37)]
    [InlineData(true, 130)]
    public void Winner_matches_a_sorted_set_through_random_updates(bool largestWins, int positions)
    {
        var random = new Random(positions);
        var tree = new NodeTournament(positions, largestWins);
        var set = new SortedSet<(long Value, int Position)>();
        var current = new long?[positions];
        // Leave some positions unset: they must never win.
        for (var p = 0; p < positions; p++)
        {
            if (random.Next(4) != 0)
            {
                current[p] = random.Next(5);
                tree.Set(p, current[p]!.Value);
                set.Add((current[p]!.Value, p));
            }
        }
        tree.Build();
        for (var step = 0; step < 2_000; step++)
        {
            var expected = set.Count == 0 ? -1 : largestWins ? set.Max.Position : set.Min.Position;
            Assert.Equal(expected, tree.Winner);
            var position = random.Next(positions);
            if (current[position] is not { } old)
            {
                continue;
            }
            // Few distinct values, so ties on the value are common and the position must break them.
            var value = random.Next(5);
            set.Remove((old, position));
            set.Add((value, position));
            current[position] = value;
            tree.Update(position, value);
        }
    }

    [Fact]
    public void A_tree_with_nothing_set_has_no_winner()
    {
        var tree = new NodeTournament(3, largestWins: false);
        tree.Build();

        Assert.Equal(-1, tree.Winner);
    }
}
