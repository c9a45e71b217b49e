using Azure;

namespace Broker.Providers.Azure;

/// <summary>Waits for an ARM long-running operation at the configured polling interval.</summary>
internal static class AzureOperations
{
    public static async Task WaitAsync(Operation operation, AzureOptions options, CancellationToken ct)
    {
        if (options.OperationPollingInterval is { } interval)
        {
            await operation.WaitForCompletionResponseAsync(interval, ct);
        }
        else
        {
            await operation.WaitForCompletionResponseAsync(ct);
        }
    }

    public static async Task<T> WaitAsync<T>(Operation<T> operation, AzureOptions options, CancellationToken ct) where T : notnull =>
        options.OperationPollingInterval is { } interval
            ? (await operation.WaitForCompletionAsync(interval, ct)).Value
            : (await operation.WaitForCompletionAsync(ct)).Value;
}
