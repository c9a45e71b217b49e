using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

public sealed class AlibabaOpenbTraceTests
{
    private const string Header = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time";

    private static readonly AlibabaMapping Mapping = new(4, new Dictionary<string, int> { ["LS"] = 2, ["BE"] = 0 }, ["BE"], 1.0, 1800, 3600);

    private static readonly Dictionary<string, IReadOnlyList<string>> Equivalences = new()
    {
        ["V100M16"] = ["V100-16GB"], ["V100M32"] = ["V100-32GB"], ["A10"] = ["A10", "A10G"], ["T4"] = ["T4"],
    };

    [Fact]
    public void Gpu_pods_become_jobs_with_the_documented_rules()
    {
        var jobs = Read(
            "pod-cpu,1000,100,0,0,,LS,Running,0,100,0",
            "pod-never,1000,100,1,1000,,LS,Pending,5,100,",
            "pod-frac,1000,100,1,220,,BE,Running,10,7210,20",
            "pod-gang,1000,100,8,1000,V100M16|V100M32,LS,Succeeded,30,130,40",
            "pod-a10,1000,100,1,1000,A10|T4,BE,Failed,50,150,60");

        Assert.Equal(["pod-frac", "pod-gang", "pod-a10"], jobs.Select(j => j.JobId));
        var frac = jobs[0];
        Assert.Equal((1, 7190L, 10L, true, 0, (long?)1800), (frac.Gpus, frac.DurationS, frac.SubmitS, frac.SpotOk, frac.Priority, frac.CheckpointS));
        var gang = jobs[1];
        Assert.Equal((8, 90L, false, 2, (long?)null), (gang.Gpus, gang.DurationS, gang.SpotOk, gang.Priority, gang.CheckpointS));
        Assert.Equal(["V100-16GB", "V100-32GB"], gang.GpuModels);
        Assert.Equal(["A10", "A10G", "T4"], jobs[2].GpuModels);
        Assert.Equal($"team-{StableHash.Of("pod-gang") % 4}", gang.Team);
    }

    [Fact]
    public void With_gpu_shares_a_fractional_pod_keeps_its_share_and_whole_pods_stay_whole()
    {
        var rows = new[] { "pod-frac,1000,100,1,220,,BE,Running,10,7210,20", "pod-one,1000,100,1,1000,,BE,Running,10,7210,20",
            "pod-two,1000,100,2,1000,,BE,Running,10,7210,20" };

        var shared = AlibabaOpenbTrace.Read(new StringReader(Header + "\n" + string.Join("\n", rows)), "pods.csv",
            Mapping with { GpuShares = true }, Equivalences, null);
        var rounded = Read(rows);

        Assert.Equal([0.22m, null, null], shared.Select(j => j.GpuShare));
        Assert.Equal([1, 1, 2], shared.Select(j => j.Gpus));
        Assert.All(rounded, j => Assert.Null(j.GpuShare));
    }

    [Fact]
    public void Deadlines_go_to_the_configured_fraction_by_stable_hash()
    {
        var rows = Enumerable.Range(0, 400).Select(i => $"pod-{i},1,1,1,1000,,LS,Running,{i},{i + 1000},{i}").ToArray();

        var jobs = AlibabaOpenbTrace.Read(new StringReader(Header + "\n" + string.Join("\n", rows)), "pods.csv", Mapping, Equivalences,
            new DeadlineRule(0.25, 3, 1800));

        var withDeadline = jobs.Where(j => j.DeadlineS is not null).ToArray();
        Assert.InRange(withDeadline.Length, 70, 130);
        Assert.All(withDeadline, j => Assert.Equal(j.SubmitS + 3 * 1000 + 1800, j.DeadlineS));
    }

    [Fact]
    public void A_model_without_an_equivalence_is_an_error_naming_the_line()
    {
        var error = Assert.Throws<TraceFormatException>(() => Read("pod-ok,1,1,1,1000,,LS,Running,0,10,0", "pod-x,1,1,1,1000,G9,LS,Running,0,10,0"));

        Assert.Contains("line 3", error.Message);
        Assert.Contains("G9", error.Message);
    }

    [Fact]
    public void A_missing_column_is_named()
    {
        var error = Assert.Throws<TraceFormatException>(() =>
            AlibabaOpenbTrace.Read(new StringReader("name,num_gpu\npod,1\n"), "pods.csv", Mapping, Equivalences, null));

        Assert.Contains("gpu_milli", error.Message);
    }

    private static IReadOnlyList<TraceJob> Read(params string[] rows) =>
        AlibabaOpenbTrace.Read(new StringReader(Header + "\n" + string.Join("\n", rows) + "\n"), "pods.csv", Mapping, Equivalences, null);
}
