using System.Text.Json.Nodes;

namespace Broker.Providers.Tests.Azure;

internal sealed partial class FakeArm
{
    private readonly Dictionary<string, FakeOperation> operations = new(StringComparer.Ordinal);

    /// <summary>
    /// Polls answered InProgress before an operation finishes. Azure.Core waits at least one second between polls
    /// (its fixed polling delay has a 1 s floor) but polls once at once, so 0 keeps most tests fast.
    /// </summary>
    public int PollsBeforeDone { get; set; }

    /// <summary>Registers an operation and returns the Azure-AsyncOperation header that points at it.</summary>
    private Dictionary<string, string> StartOperation(string location, FakeArmFault? failure, Action finish)
    {
        var id = Guid.NewGuid().ToString();
        operations[id] = new FakeOperation(failure, finish) { PollsLeft = PollsBeforeDone };
        var url = $"{HttpsBase}subscriptions/{Subscription}/providers/Microsoft.Compute/locations/{location}/operations/{id}?p=fake&api-version=2023-03-01";
        return new Dictionary<string, string> { ["Azure-AsyncOperation"] = url };
    }

    private FakeArmResponse PollOperation(string id)
    {
        if (!operations.TryGetValue(id, out var operation))
        {
            return FakeArmResponse.Error(404, "OperationNotFound", $"Operation {id} is unknown.");
        }
        if (operation.PollsLeft > 0)
        {
            operation.PollsLeft--;
            return FakeArmResponse.Json(200, new JsonObject { ["name"] = id, ["status"] = "InProgress" });
        }
        if (!operation.Done)
        {
            operation.Done = true;
            operation.Finish();
        }
        var status = new JsonObject { ["name"] = id, ["status"] = operation.Failure is null ? "Succeeded" : "Failed" };
        if (operation.Failure is { } failure)
        {
            status["error"] = new JsonObject { ["code"] = failure.Code, ["message"] = failure.Message };
        }
        return FakeArmResponse.Json(200, status);
    }

    private sealed class FakeOperation(FakeArmFault? failure, Action finish)
    {
        public FakeArmFault? Failure { get; } = failure;
        public Action Finish { get; } = finish;
        public int PollsLeft { get; set; }
        public bool Done { get; set; }
    }
}
