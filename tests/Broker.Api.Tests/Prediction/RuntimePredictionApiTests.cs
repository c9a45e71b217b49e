using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broker.Api.Jobs;
using Broker.Api.Tests.Infrastructure;
using Broker.Core.Capacity;
using Broker.Core.Jobs;
using Broker.Core.Prediction;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Prediction;

/// <summary>The background training on the real PostgreSQL: finished jobs in, predictions and their errors out through the API.</summary>
public sealed class RuntimePredictionApiTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A job of <paramref name="team"/> that asked for 10 h and succeeded after <paramref name="actual"/> on-prem.</summary>
    private async Task<Guid> FinishedJobAsync(string team, string name, TimeSpan actual, DateTimeOffset started)
    {
        await using var db = app.NewDbContext();
        var job = new Job
        {
            Id = Guid.NewGuid(), Team = team, Name = name, Image = "ghcr.io/acme/train:1.4", Command = ["python", "train.py"],
            Gpu = new GpuRequest { Count = 2 }, CpuCores = 8, MemoryGb = 64, EstimatedDuration = TimeSpan.FromHours(10),
            SubmittedAt = started, UpdatedAt = started,
        };
        job.MoveTo(JobState.Placed, JobEventKind.Placed, "placed", started);
        job.MoveTo(JobState.Starting, JobEventKind.Starting, "starting", started);
        job.MoveTo(JobState.Running, JobEventKind.Started, "running", started);
        job.MoveTo(JobState.Succeeded, JobEventKind.Finished, "finished", started + actual);
        db.Jobs.Add(job);
        db.Allocations.Add(new Allocation
        {
            Id = Guid.NewGuid(), JobId = job.Id, Market = CapacityType.OnPrem, Provider = "slurm", Node = "gpu-01", GpuModel = "H100-80GB",
            Gpus = 2, State = AllocationState.Closed, End = AllocationEnd.Completed, CreatedAt = started, StartedAt = started,
            EndedAt = started + actual,
        });
        await db.SaveChangesAsync();
        return job.Id;
    }

    private async Task<RuntimeTrainingResult> TrainAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<RuntimeModelJob>(scope.ServiceProvider).RunAsync(default);
    }

    [Fact]
    public async Task After_jobs_finish_the_background_training_predicts_a_new_jobs_runtime_below_its_estimate_and_reports_its_error()
    {
        const string team = "predict-a";
        for (var i = 0; i < 12; i++)
        {
            await FinishedJobAsync(team, $"train-run-{i}", TimeSpan.FromHours(2 + i % 3 * 0.1), Start.AddHours(i));
        }
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", team));
        var body = JobApi.ValidBody("train-run-99");
        body["estimatedDurationMinutes"] = 600;
        var submitted = await JobApi.SubmitAsync(client, body);

        var first = await TrainAsync();
        var job = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{submitted.Id()}"))!;

        Assert.True(first.Trained);
        var runtime = job["runtime"]!;
        var predicted = runtime["predictedMinutes"]!.GetValue<double>();
        Assert.InRange(predicted, 110, 300); // the team's train-run jobs took ~2 h of the 10 h they asked for
        Assert.True(runtime["lowMinutes"]!.GetValue<double>() <= predicted && predicted <= runtime["highMinutes"]!.GetValue<double>());
        Assert.True(runtime["highMinutes"]!.GetValue<double>() <= 600);
        Assert.Contains("signature", runtime["basis"]!.GetValue<string>());
        Assert.Null(runtime["actualMinutes"]);

        // Nothing new finished: a second run keeps the model and trains nothing.
        Assert.False((await TrainAsync()).Trained);

        // The job runs and succeeds after 3 h; the next training records its real runtime and the error shows.
        await using (var db = app.NewDbContext())
        {
            var entity = await db.Jobs.SingleAsync(j => j.Id == Guid.Parse(submitted.Id()));
            var at = DateTimeOffset.UtcNow;
            entity.MoveTo(JobState.Placed, JobEventKind.Placed, "placed", at);
            entity.MoveTo(JobState.Starting, JobEventKind.Starting, "starting", at);
            entity.MoveTo(JobState.Running, JobEventKind.Started, "running", at);
            entity.MoveTo(JobState.Succeeded, JobEventKind.Finished, "finished", at.AddHours(3));
            db.Allocations.Add(new Allocation
            {
                Id = Guid.NewGuid(), JobId = entity.Id, Market = CapacityType.OnPrem, Provider = "slurm", Node = "gpu-01",
                GpuModel = "H100-80GB", Gpus = 2, State = AllocationState.Closed, End = AllocationEnd.Completed, CreatedAt = at,
                StartedAt = at, EndedAt = at.AddHours(3),
            });
            await db.SaveChangesAsync();
        }
        Assert.True((await TrainAsync()).Trained);
        var done = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{submitted.Id()}"))!["runtime"]!;

        Assert.Equal(180, done["actualMinutes"]!.GetValue<double>());
        Assert.Equal(predicted, done["predictedMinutes"]!.GetValue<double>()); // frozen once it started
        Assert.Equal(Math.Round(predicted - 180, 2), done["errorMinutes"]!.GetValue<double>(), 2);
    }

    [Fact]
    public async Task Two_concurrent_trainings_store_one_model_and_leave_no_job_without_a_prediction()
    {
        const string team = "predict-b";
        for (var i = 0; i < 5; i++)
        {
            await FinishedJobAsync(team, "eval", TimeSpan.FromHours(1), Start.AddDays(1).AddHours(i));
        }
        using var client = app.ClientWithKey(await app.CreateKeyAsync("submitter", team));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await JobApi.SubmitAsync(client, JobApi.ValidBody("eval"))).Id());
        }
        await using var before = app.NewDbContext();
        var models = await before.RuntimeModels.CountAsync();

        var results = await Task.WhenAll(TrainAsync(), TrainAsync());

        await using var db = app.NewDbContext();
        Assert.True(await db.RuntimeModels.CountAsync() - models <= 1, "two replicas must not both train on the same history");
        if (results.All(r => !r.Trained))
        {
            await TrainAsync(); // both ran while the other held the lock: the next run trains
        }
        foreach (var id in ids)
        {
            var runtime = (await client.GetFromJsonAsync<JsonObject>($"/v1/jobs/{id}"))!["runtime"];
            Assert.NotNull(runtime);
            Assert.True(runtime!["predictedMinutes"]!.GetValue<double>() <= 90);
        }
    }
}
