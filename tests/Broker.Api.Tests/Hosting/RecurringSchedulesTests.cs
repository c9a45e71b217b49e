using Broker.Api.Jobs;
using Broker.Api.Hosting;
using Broker.Api.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Api.Tests.Hosting;

public sealed class RecurringSchedulesTests(BrokerApp app) : IClassFixture<BrokerApp>
{
    [Fact]
    public async Task A_lock_row_left_by_a_killed_replica_does_not_stop_a_replica_from_starting_and_it_registers_once_the_lock_is_free()
    {
        await using (var db = app.NewDbContext())
        {
            // What a replica SIGKILLed inside Hangfire's recurring-job scheduler leaves behind.
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO hangfire.lock (resource, updatecount, acquired) VALUES ('hangfire:lock:recurring-job:costs:record', 0, now())");
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hangfire:ServerEnabled"] = "true",
            ["Hangfire:ScheduleRetryInterval"] = "00:00:01",
        }).Build();
        using var schedules = new RecurringSchedules(app.Services.GetRequiredService<IRecurringJobManager>(), configuration,
            app.Services.GetRequiredService<IServiceScopeFactory>(), NullLogger<RecurringSchedules>.Instance);
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();

        await schedules.StartAsync(default);
        var whileLocked = connection.GetRecurringJobs().Select(j => j.Id).ToList();
        await using (var db = app.NewDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM hangfire.lock WHERE resource = 'hangfire:lock:recurring-job:costs:record'");
        }
        var registered = new List<string>();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline && !registered.Contains(RecordCostsJob.Id);)
        {
            await Task.Delay(250);
            registered = [.. connection.GetRecurringJobs().Select(j => j.Id)];
        }
        await schedules.StopAsync(default);

        Assert.DoesNotContain(RecordCostsJob.Id, whileLocked);
        Assert.Contains(RecordCostsJob.Id, registered);
        Assert.Contains(PlacementPassJob.Id, registered);
    }
}
