using Broker.Core.Capacity;

namespace Broker.Api.Tests.Offers;

/// <summary>
/// A price feed a test scripts: it answers <see cref="Quotes"/> or throws <see cref="Failure"/>. With
/// <see cref="HoldUntilCallers"/> set, each call waits until that many calls are inside, so runs overlap for certain.
/// </summary>
public sealed class ScriptedPriceSource(string provider) : IPriceSource
{
    private readonly Lock gate = new();
    private TaskCompletionSource allIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int inside;

    public string Provider => provider;

    public IReadOnlyList<PriceQuote> Quotes { get; set; } = [];

    public Exception? Failure { get; set; }

    public int HoldUntilCallers { get; set; } = 1;

    public int Calls { get; private set; }

    public IReadOnlyCollection<PriceKey> LastWanted { get; private set; } = [];

    public void Reset()
    {
        lock (gate)
        {
            Quotes = [];
            Failure = null;
            HoldUntilCallers = 1;
            inside = 0;
            allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public async Task<IReadOnlyList<PriceQuote>> FetchAsync(IReadOnlyCollection<PriceKey> wanted, CancellationToken cancellationToken)
    {
        Task everyone;
        lock (gate)
        {
            Calls++;
            LastWanted = wanted;
            if (++inside >= HoldUntilCallers)
            {
                allIn.TrySetResult();
            }
            everyone = allIn.Task;
        }
        await everyone.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return Failure is { } failure ? throw failure : Quotes;
    }
}
