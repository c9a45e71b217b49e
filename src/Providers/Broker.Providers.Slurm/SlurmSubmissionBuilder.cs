using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Slurm;

/// <summary>
/// Builds the v0.0.38 batch submission for a Broker job request. The job runs as the team's user, in the team's directory:
/// Slurm's own log is <c>&lt;team dir&gt;/&lt;allocation id&gt;.slurm.log</c>, and the script first creates
/// <c>&lt;team dir&gt;/&lt;allocation id&gt;/</c> (mode 700), moves there and sends the job's output to <c>output.log</c> in it.
/// </summary>
internal static partial class SlurmSubmissionBuilder
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <param name="gresType">The node's GPU type for a whole-GPU job (see <see cref="ResolveGresType"/>).</param>
    /// <param name="shards">For a shared job (<see cref="OnPremJobRequest.Share"/>): the node's shards it takes, from
    /// <see cref="ShardsFor"/>.</param>
    public static SlurmJobSubmission Build(OnPremJobRequest request, string gresType, SlurmOptions options, int shards = 0)
    {
        // slurmrestd rejects a job without environment; PATH lets a plain bash script find its tools. SLURM_UMASK is the
        // umask Slurm creates the job's log with (sbatch would pass the submitter's).
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = DefaultPath };
        foreach (var (key, value) in request.Environment)
        {
            environment[key] = value;
        }
        var teamDirectory = request.OutputDirectory.TrimEnd('/');
        var jobDirectory = JobDirectory(request);
        environment["BROKER_ALLOCATION_ID"] = request.AllocationId.ToString("D");
        environment["BROKER_JOB_ID"] = request.JobId.ToString("D");
        environment["BROKER_OUTPUT_DIR"] = jobDirectory;
        environment["SLURM_UMASK"] = "0077";
        var gres = Gres(request, gresType, shards);
        var slurmLog = $"{teamDirectory}/{request.AllocationId:D}.slurm.log";
        var members = Members(request);
        var job = new SlurmJobProperties(SlurmJobNames.For(request.AllocationId), options.Partition, gres, string.Join(',', members),
            TimeLimitMinutes(request.TimeLimit), teamDirectory, environment, slurmLog, slurmLog, request.Account,
            request.CpusPerTask > 0 ? request.CpusPerTask : null, request.MemoryMb > 0 ? request.MemoryMb : null,
            request.IsGang ? [members.Count, members.Count] : null, request.IsGang ? members.Count : null, request.IsGang ? 1 : null);
        return new SlurmJobSubmission(job, Script(request, jobDirectory, request.IsGang ? GangLaunch(request, members.Count, gres) : ""));
    }

    /// <summary>The nodes the job is pinned to: the gang's members (each a distinct, plain node name) or its one node.</summary>
    private static IReadOnlyList<string> Members(OnPremJobRequest request)
    {
        if (!request.IsGang)
        {
            return [request.Node];
        }
        var members = request.Nodes!;
        if (members[0] != request.Node || members.Distinct(StringComparer.Ordinal).Count() != members.Count
            || members.Any(n => !NodeName().IsMatch(n)) || request.Gpus % members.Count != 0 || request.Gpus < members.Count)
        {
            throw new ArgumentException("A gang names distinct plain node names, its first node first, and an equal number of GPUs on each.", nameof(request));
        }
        if (request.Share is not null || request.MigProfile is not null)
        {
            throw new ArgumentException("A shared or MIG job runs on one node, not as a gang.", nameof(request));
        }
        return members;
    }

    /// <summary>
    /// A gang's batch script runs once, on the first member; its command must run once on EVERY member, together, as one
    /// job step. The run section starts its program with <c>command --</c> (or <c>exec --</c>): in a gang's script those two
    /// run the program through <c>srun</c> on all members, one task per node with the node's GPUs, and return when every
    /// member has ended (the first failure ends them all), so the script reports one start and one finish for the gang.
    /// </summary>
    private static string GangLaunch(OnPremJobRequest request, int members, string gres)
    {
        var step = $"srun --nodes={members} --ntasks={members} --ntasks-per-node=1 --kill-on-bad-exit=1 --gres={StartupScript.ShellQuote(gres)}"
            + (request.CpusPerTask > 0 ? $" --cpus-per-task={request.CpusPerTask}" : "")
            + (request.MemoryMb > 0 ? $" --mem={request.MemoryMb}" : "");
        return $$"""
            # Gang of {{members}} nodes: the command runs once per member node (one srun step), this script once.
            broker_gang_run() { {{step}} -- "$@"; }
            command() { if [ "${1-}" = -- ]; then shift; broker_gang_run "$@"; else builtin command "$@"; fi; }
            exec() { if [ "${1-}" = -- ]; then shift; broker_gang_run "$@"; builtin exit $?; fi; builtin exec "$@"; }

            """;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial System.Text.RegularExpressions.Regex NodeName();

    /// <summary>Where the job's own files go: a directory of its own inside the team's.</summary>
    private static string JobDirectory(OnPremJobRequest request) => $"{request.OutputDirectory.TrimEnd('/')}/{request.AllocationId:D}";

    private static string Script(OnPremJobRequest request, string jobDirectory, string gangLaunch)
    {
        var body = request.Script.StartsWith("#!", StringComparison.Ordinal)
            ? request.Script[(request.Script.IndexOf('\n', StringComparison.Ordinal) is var end and >= 0 ? end + 1 : request.Script.Length)..]
            : request.Script;
        return $"""
            #!/bin/bash
            # Broker allocation {request.AllocationId:D}: runs as the team's user; its files stay in its own directory.
            umask 077
            BROKER_OUTPUT_DIR={StartupScript.ShellQuote(jobDirectory)}
            export BROKER_OUTPUT_DIR
            if [ ! -d "$BROKER_OUTPUT_DIR" ] && ! mkdir -m 700 -- "$BROKER_OUTPUT_DIR"; then
                echo "broker: cannot create the job directory $BROKER_OUTPUT_DIR" >&2
                exit 70
            fi
            cd -- "$BROKER_OUTPUT_DIR" || exit 70
            exec >>"$BROKER_OUTPUT_DIR/output.log" 2>&1

            """ + gangLaunch + body;
    }

    /// <summary>
    /// The GRES the job asks for: one MIG slice of its profile (<c>gpu:1g.10gb:1</c>), its shards of one GPU (<c>shard:2</c>;
    /// Slurm takes one job's shards from one GPU and packs several jobs onto it), or whole GPUs of the node's type.
    /// </summary>
    public static string Gres(OnPremJobRequest request, string gresType, int shards)
    {
        if (request.MigProfile is { } profile)
        {
            // The API admits only ^[1-7]g.[0-9]{1,3}gb$; anything else must not reach Slurm's option parser.
            return SlurmNodeMapper.IsMigProfile(profile) && request.Gpus == 1
                ? $"gpu:{profile.ToLowerInvariant()}:1"
                : throw new ArgumentException($"'{profile}' is not a MIG profile of one GPU.", nameof(request));
        }
        if (request.Share is not null)
        {
            return shards > 0 && request.Gpus == 1 ? $"shard:{shards}" : throw new ArgumentException("A shared job needs its shards of one GPU.", nameof(request));
        }
        // Per node: a gang's GPUs are split equally over its members.
        return gresType.Length == 0 ? $"gpu:{request.GpusPerNode}" : $"gpu:{gresType}:{request.GpusPerNode}";
    }

    /// <summary>
    /// The shards a share takes on a node: the node's shards per GPU (its shard count over its whole GPUs) times the share,
    /// rounded up; 0 when the node has no shards.
    /// </summary>
    public static int ShardsFor(IReadOnlyList<GresEntry> nodeGres, decimal share)
    {
        var gpus = nodeGres.Where(g => SlurmNodeMapper.IsGpu(g) && !SlurmNodeMapper.IsMigProfile(g.Type)).Sum(g => g.Count);
        var shards = nodeGres.Where(SlurmNodeMapper.IsShard).Sum(g => g.Count);
        return gpus == 0 || shards < gpus || share <= 0m || share >= 1m
            ? 0
            : Core.Placement.SharePacking.ShardsFor(share, shards / gpus);
    }

    public static int TimeLimitMinutes(TimeSpan limit) =>
        (int)Math.Clamp(Math.Ceiling(limit.TotalMinutes), 1, int.MaxValue - 1);

    /// <summary>
    /// The node's own gres type for the requested model: an exact match (<c>h100</c>) or the same normalized model
    /// (<c>H100-80GB</c>); "" for a node whose GPUs carry no type; null when the node has no such GPUs.
    /// </summary>
    public static string? ResolveGresType(IReadOnlyList<GresEntry> nodeGres, string requestedModel)
    {
        var gpus = nodeGres.Where(SlurmNodeMapper.IsGpu).ToList();
        var exact = gpus.FirstOrDefault(g => string.Equals(g.Type, requestedModel, StringComparison.OrdinalIgnoreCase));
        if (exact?.Type is not null)
        {
            return exact.Type;
        }
        var normalized = GpuModels.Normalize(requestedModel);
        var sameModel = gpus.FirstOrDefault(g => g.Type is not null && GpuModels.Normalize(g.Type) == normalized);
        if (sameModel?.Type is not null)
        {
            return sameModel.Type;
        }
        return gpus.Count > 0 && gpus.All(g => g.Type is null)
            && (normalized == SlurmNodeMapper.UntypedGpuModel || string.IsNullOrWhiteSpace(requestedModel)) ? "" : null;
    }
}
