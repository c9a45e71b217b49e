using Npgsql;

namespace Broker.Bench.ReportCosts;

/// <summary>
/// A synthetic month (November 2026) of a 2,000-GPU hybrid fleet, written straight into <c>cost_entries</c> with one SQL
/// statement per batch: 250 on-prem nodes of 8 GPUs (60% of entries; 1-4 GPUs, 5-85 minutes each, so the fleet runs at
/// about three quarters), the rest spot (25%) and on-demand (15%) on eight real instance types of three clouds; 20 teams,
/// three label sets each; every third entry starts a new job (a job belongs to one team). Entries are spread evenly over the month and end by their own midnight, as the ledger's are.
/// Values come from hashes of the entry number, so every run writes the same ledger.
/// </summary>
internal static class SyntheticLedger
{
    public const string Month = "2026-11-01";

    public static async Task LoadAsync(NpgsqlDataSource db, long from, long to, long total)
    {
        const long batch = 100_000;
        for (var lo = from; lo < to; lo += batch)
        {
            await using var insert = db.CreateCommand(Sql);
            insert.CommandTimeout = 600;
            insert.Parameters.AddWithValue("lo", lo);
            insert.Parameters.AddWithValue("hi", Math.Min(to, lo + batch));
            insert.Parameters.AddWithValue("total", total);
            await insert.ExecuteNonQueryAsync();
            Console.Error.WriteLine($"  {Math.Min(to, lo + batch):N0} entries");
        }
    }

    private const string Sql = $"""
        WITH s AS (
            SELECT i, abs(hashint8(i)) AS h, abs(hashint8(i + 7919)) AS h2, abs(hashint8(i / 3)) AS hj FROM generate_series(@lo, @hi - 1) AS i
        ), c AS (
            SELECT i, h, h2, hj,
                   CASE WHEN h2 % 100 < 60 THEN 'OnPrem' WHEN h2 % 100 < 85 THEN 'Spot' ELSE 'OnDemand' END AS market,
                   (h2 / 100) % 8 AS offer, (h2 / 100) % 3 AS model,
                   timestamptz '{Month} 00:00:00+00' + make_interval(secs => (i * 2592000.0 / @total)) AS started
            FROM s
        ), e AS (
            SELECT c.*,
                   CASE WHEN market = 'OnPrem' THEN (ARRAY['H100-80GB','A100-80GB','L4'])[model + 1]
                        ELSE (ARRAY['H100-80GB','A100-40GB','A10G','H100-80GB','A100-40GB','H100-80GB','A100-80GB','L4'])[offer + 1] END AS gpu_model,
                   CASE WHEN market = 'OnPrem' THEN (ARRAY[1,1,2,2,4,4])[(h / 20) % 6 + 1]
                        ELSE (ARRAY[8,8,1,8,1,8,1,1])[offer + 1] END AS gpus,
                   (ARRAY['aws','aws','aws','gcp','gcp','azure','azure','gcp'])[offer + 1] AS cloud,
                   (ARRAY['us-east-1','us-west-2','us-east-1','us-central1','europe-west4','eastus','westeurope','us-central1'])[offer + 1] AS region,
                   (ARRAY['p5.48xlarge','p4d.24xlarge','g5.xlarge','a3-highgpu-8g','a2-highgpu-1g','Standard_ND96isr_H100_v5',
                          'Standard_NC24ads_A100_v4','g2-standard-4'])[offer + 1] AS instance_type,
                   (ARRAY[98.32,32.7726,1.006,88.49,3.673,98.32,3.673,0.7068])[offer + 1] AS on_demand,
                   (ARRAY[30.12,12.39,0.3622,29.87,1.102,39.33,1.49,0.2812])[offer + 1] AS spot,
                   least(started + make_interval(secs => 300 + h % 4800), date_trunc('day', started, 'UTC') + interval '1 day') AS ended
            FROM c
        ), p AS (
            SELECT e.*, extract(epoch FROM ended - started) AS seconds,
                   CASE market WHEN 'OnPrem' THEN 1.20 * gpus WHEN 'Spot' THEN spot ELSE on_demand END AS price,
                   CASE WHEN market = 'OnPrem' THEN (ARRAY[11.06,4.1,0.7068])[model + 1] * gpus ELSE on_demand END AS od_price
            FROM e
        )
        INSERT INTO cost_entries (allocation_id, part, kind, job_id, team, provider, region, zone, instance_type, node, market,
            gpu_model, gpu_count, started_at, ended_at, billed_seconds, gpu_hours, price_per_hour, cost, on_demand_price_per_hour,
            on_demand_cost, labels, note, recorded_at)
        SELECT md5('allocation' || i)::uuid, 0, 'Usage', md5('job' || (i / 3))::uuid, 'team-' || lpad((hj % 20)::text, 2, '0'),
               CASE WHEN market = 'OnPrem' THEN 'slurm' ELSE cloud END,
               CASE WHEN market = 'OnPrem' THEN NULL ELSE region END, NULL,
               CASE WHEN market = 'OnPrem' THEN NULL ELSE instance_type END,
               CASE WHEN market = 'OnPrem' THEN 'node-' || lpad(((h / 120) % 250)::text, 3, '0') END,
               market, gpu_model, gpus, started, ended, round(seconds, 6), round(seconds * gpus / 3600, 6), price,
               round(seconds * price / 3600, 6), od_price, round(seconds * od_price / 3600, 6),
               jsonb_build_object('project', 'proj-' || (hj % 20) || '-' || (hj / 20 % 3), 'costCentre', 'cc-' || (hj % 20 % 5)),
               'synthetic', ended
        FROM p
        """;
}
