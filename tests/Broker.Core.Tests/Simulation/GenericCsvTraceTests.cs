using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

public sealed class GenericCsvTraceTests
{
    private const string Header = "job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s";

    [Fact]
    public void Reads_every_column_and_normalizes_gpu_models()
    {
        var jobs = Read($"{Header}\nj1,ml,10,3600,2,v100m16|T4,7300,true,600\nj2,ml,20.4,0.5,1,,,false,\n");

        Assert.Equal(new TraceJob("j1", "ml", 10, 3600, 2, jobs[0].GpuModels, 7300, true, 600), jobs[0]);
        Assert.Equal(["V100-16GB", "T4"], jobs[0].GpuModels);
        Assert.Equal((20L, 1L, 0, (long?)null, false, (long?)null), (jobs[1].SubmitS, jobs[1].DurationS, jobs[1].GpuModels.Count, jobs[1].DeadlineS, jobs[1].SpotOk, jobs[1].CheckpointS));
    }

    [Theory]
    [InlineData("job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok")]
    [InlineData("job_id,team,submit,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s")]
    [InlineData("team,job_id,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s")]
    public void A_header_that_is_not_exact_is_refused_at_line_1(string header)
    {
        var error = Assert.Throws<TraceFormatException>(() => Read($"{header}\nj1,ml,10,3600,1,,,true,\n"));

        Assert.Contains("line 1", error.Message);
        Assert.Contains(Header, error.Message);
    }

    [Theory]
    [InlineData("j2,ml,10,3600,0,,,true,", "gpus")]
    [InlineData("j2,ml,ten,3600,1,,,true,", "submit_s")]
    [InlineData("j2,ml,10,-5,1,,,true,", "duration_s")]
    [InlineData("j2,ml,10,3600,1,,5,true,", "deadline_s")]
    [InlineData("j2,ml,10,3600,1,,,yes,", "spot_ok")]
    [InlineData("j2,ml,10,3600,1,,,true,0", "checkpoint_s")]
    [InlineData("j2,ml,10,3600,1,,,true", "expected 9 fields")]
    [InlineData("j1,ml,10,3600,1,,,true,", "duplicate job_id")]
    [InlineData(",ml,10,3600,1,,,true,", "job_id")]
    public void A_bad_row_names_its_line_and_the_problem(string row, string problem)
    {
        var error = Assert.Throws<TraceFormatException>(() => Read($"{Header}\nj1,ml,10,3600,1,,,true,\n\n{row}\n"));

        Assert.Contains("trace.csv: line 4", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void An_optional_gpu_share_column_is_read_after_limit_s_and_written_back()
    {
        var jobs = Read($"{Header},limit_s,gpu_share\nj1,ml,10,3600,1,T4,,true,,7200,0.25\nj2,ml,20,60,2,,,false,,,\n");
        var writer = new StringWriter();
        GenericCsvTrace.Write(writer, jobs);

        Assert.Equal([0.25m, null], jobs.Select(j => j.GpuShare));
        Assert.Equal(7200, jobs[0].LimitS);
        Assert.Equal([0.25m, null], Read(writer.ToString()).Select(j => j.GpuShare));
    }

    [Theory]
    [InlineData("j2,ml,10,3600,1,,,true,,1")]
    [InlineData("j2,ml,10,3600,1,,,true,,0")]
    [InlineData("j2,ml,10,3600,2,,,true,,0.5")]
    [InlineData("j2,ml,10,3600,1,,,true,,0.12345")]
    public void A_gpu_share_that_is_not_a_fraction_of_one_gpu_is_refused(string row)
    {
        var error = Assert.Throws<TraceFormatException>(() => Read($"{Header},gpu_share\n{row}\n"));

        Assert.Contains("gpu_share", error.Message);
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Written_traces_read_back_identically()
    {
        var jobs = Read(File.ReadAllText(TestPaths.Fixture("small-trace.csv")));
        var writer = new StringWriter();

        GenericCsvTrace.Write(writer, jobs);

        Assert.Equal(File.ReadAllText(TestPaths.Fixture("small-trace.csv")), writer.ToString());
    }

    private static IReadOnlyList<TraceJob> Read(string csv) => GenericCsvTrace.Read(new StringReader(csv), "trace.csv");
}
