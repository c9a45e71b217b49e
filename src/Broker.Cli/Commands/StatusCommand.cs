using System.CommandLine;
using Broker.Cli.Api;
using Spectre.Console;

namespace Broker.Cli.Commands;

/// <summary><c>broker status ID</c>: the job, why it is where it is (the engine's choice and the options it rejected), its segments and timeline.</summary>
internal static class StatusCommand
{
    public static Command Build(CliSession session)
    {
        var id = Shared.JobId();
        var json = Shared.Json();
        var command = new Command("status", "A job's state, placement explanation, run segments and timeline") { id, json };
        command.SetAction(async (parse, ct) =>
        {
            using var client = session.Connect();
            var job = await client.GetAsync<JobView>(ApiCalls.GetJob, parse.GetRequiredValue(id), [], ct);
            if (parse.GetValue(json))
            {
                session.WriteJson(job.Json);
                return ExitCodes.Ok;
            }
            Render(session, job.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Render(CliSession session, JobView job)
    {
        var console = session.Console;
        var gpus = $"{job.Gpu.Count} × {(job.Gpu.Models is { Count: > 0 } m ? string.Join(" | ", m) : "any model")}"
            + (job.Gpu.MinMemoryGb is { } mem ? $", ≥ {mem} GB" : "") + (job.Gpu.Share is { } share ? $", share {share}" : "")
            + (job.Gpu.MigProfile is { } mig ? $", MIG {mig}" : "");
        var facts = new Grid().AddColumn().AddColumn();
        void Fact(string name, string value) => facts.AddRow(new Text(name), new Text(value));
        Fact("job", $"{job.Id} ({job.Name})");
        Fact("team", job.Team);
        Fact("state", job.State + (job.Attempts > 1 ? $" (attempt {job.Attempts})" : ""));
        Fact("asks", $"{gpus}; {job.CpuCores} CPUs, {job.MemoryGb} GB; {job.Image}");
        Fact("submitted", Shared.Time(job.SubmittedAt));
        if (job.Cost is { } cost)
        {
            Fact("cost", $"{Shared.Usd(cost.SoFarUsd)}{(cost.Final ? "" : " so far")} (on-demand {Shared.Usd(cost.OnDemandEquivalentUsd)}, saved {Shared.Usd(cost.SavingsUsd)})");
        }
        console.Write(facts);
        if (job.Placement is { } placement)
        {
            console.WriteLine();
            console.Write(new Text($"Why: {placement.Chosen}\n"));
            var where = placement.Action switch
            {
                "onprem" => $"on-prem node {placement.Node} ({placement.GpuModel})",
                "cloud" => $"{placement.Provider} {placement.Region} {placement.InstanceType} ({placement.Market}), {Shared.Rate(placement.PricePerHour)}",
                _ => $"waiting ({placement.WaitReason}){(placement.RetryAt is { } retry ? ", next look " + Shared.Time(retry) : "")}",
            };
            console.Write(new Text($"Decision at {Shared.Time(placement.DecidedAt)}: {where}\n"));
            if (placement.Rejected.Count > 0)
            {
                var rejected = new Table().Border(TableBorder.Simple).AddColumns("REJECTED OPTION", "REASON", "DETAIL");
                foreach (var r in placement.Rejected)
                {
                    rejected.AddRow(JobsCommand.Cells(r.Option, r.Reason, r.Detail));
                }
                console.Write(rejected);
            }
        }
        if (job.Segments is { Count: > 0 } segments)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("SEGMENT", "WHERE", "MARKET", "GPUS", "STATE", "STARTED", "ENDED", "END");
            foreach (var s in segments)
            {
                var where = s.Location == "onprem" ? $"on-prem {s.Node}" : $"{s.Provider} {s.Region} {s.InstanceType}";
                table.AddRow(JobsCommand.Cells(s.AllocationId.ToString(), where, s.Market, $"{s.Gpus}×{s.GpuModel}", s.State,
                    Shared.Time(s.StartedAt), Shared.Time(s.EndedAt), s.EndReason ?? s.End ?? ""));
            }
            console.Write(table);
        }
        var timeline = new Table().Border(TableBorder.Simple).AddColumns("AT", "EVENT", "MESSAGE");
        foreach (var e in job.Timeline ?? [])
        {
            timeline.AddRow(JobsCommand.Cells(Shared.Time(e.At), e.Kind, e.Message));
        }
        console.Write(timeline);
    }
}
