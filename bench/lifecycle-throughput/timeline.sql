-- Timeline of a kept run (run.sh --keep): per placement pass and per second, relative to the first measured submit.
-- psql -v prefix=lt -f timeline.sql
\set ON_ERROR_STOP 1
\pset footer off
CREATE TEMP TABLE t AS
SELECT j.id,
       extract(epoch FROM j.submitted_at) AS sub,
       (SELECT extract(epoch FROM min(at)) FROM job_events e WHERE e.job_id = j.id AND e.kind = 'Placed') AS placed,
       (SELECT extract(epoch FROM min(at)) FROM job_events e WHERE e.job_id = j.id AND e.kind = 'Starting') AS starting,
       (SELECT extract(epoch FROM min(at)) FROM job_events e WHERE e.job_id = j.id AND e.kind = 'Started') AS started,
       (SELECT extract(epoch FROM max(at)) FROM job_events e WHERE e.job_id = j.id AND e.kind IN ('Finished','Failed','Cancelled')) AS finished,
       (SELECT extract(epoch FROM max(a.ended_at)) FROM allocations a WHERE a.job_id = j.id) AS closed
FROM jobs j WHERE j.name LIKE :'prefix' || '-%';
SELECT min(sub) AS t0 FROM t \gset
\echo '== placement passes (Hangfire): start, end (s from first submit), jobs placed with that pass time'
WITH p AS (
  SELECT hj.id, hj.invocationdata::jsonb->>'Method' AS method,
         extract(epoch FROM min(s.createdat) FILTER (WHERE s.name = 'Processing')) AS st,
         extract(epoch FROM max(s.createdat) FILTER (WHERE s.name IN ('Succeeded','Failed','Deleted'))) AS en
  FROM hangfire.job hj JOIN hangfire.state s ON s.jobid = hj.id
  WHERE hj.invocationdata::jsonb->>'Type' LIKE '%PlacementPassJob%'
  GROUP BY hj.id, hj.invocationdata)
SELECT p.id, p.method, round((p.st - :t0)::numeric, 2) AS start_s, round((p.en - :t0)::numeric, 2) AS end_s,
       (SELECT count(*) FROM t WHERE t.placed BETWEEN p.st AND p.en) AS placed
FROM p WHERE p.en >= :t0 - 1 ORDER BY p.st;
\echo '== provisioning chunks: count, first start, last end, sum of run time'
SELECT count(*) AS chunks,
       round((min(st) - :t0)::numeric, 2) AS first_start_s, round((max(en) - :t0)::numeric, 2) AS last_end_s,
       round(sum(en - st)::numeric, 2) AS busy_s, round(avg(st - cr)::numeric, 2) AS avg_wait_s
FROM (SELECT extract(epoch FROM hj.createdat) AS cr,
             extract(epoch FROM min(s.createdat) FILTER (WHERE s.name = 'Processing')) AS st,
             extract(epoch FROM max(s.createdat) FILTER (WHERE s.name IN ('Succeeded','Failed','Deleted'))) AS en
      FROM hangfire.job hj JOIN hangfire.state s ON s.jobid = hj.id
      WHERE hj.invocationdata::jsonb->>'Type' LIKE '%ProvisionAllocationsJob%'
      GROUP BY hj.id, hj.createdat) c WHERE en >= :t0;
\echo '== per second: submitted so far, queued (pending), placed->starting, provisioning (starting->started), running, closing (finished->closed), closed'
SELECT s AS sec,
       count(*) FILTER (WHERE sub - :t0 < s + 1) AS submitted,
       count(*) FILTER (WHERE sub - :t0 < s + 1 AND (placed IS NULL OR placed - :t0 >= s + 1)) AS queued,
       count(*) FILTER (WHERE placed - :t0 < s + 1 AND (starting IS NULL OR starting - :t0 >= s + 1)) AS placed,
       count(*) FILTER (WHERE starting - :t0 < s + 1 AND (started IS NULL OR started - :t0 >= s + 1)) AS provisioning,
       count(*) FILTER (WHERE started - :t0 < s + 1 AND (finished IS NULL OR finished - :t0 >= s + 1)) AS running,
       count(*) FILTER (WHERE finished - :t0 < s + 1 AND (closed IS NULL OR closed - :t0 >= s + 1)) AS closing,
       count(*) FILTER (WHERE closed - :t0 < s + 1) AS closed
FROM t, generate_series(0, (SELECT ceil(max(coalesce(closed, finished)) - :t0)::int FROM t)) s
GROUP BY s ORDER BY s;
\echo '== passes that placed jobs, by their snapshot moment (the Placed events'' time): s from first submit, jobs placed'
SELECT round((placed - :t0)::numeric, 2) AS snapshot_s, count(*) AS placed FROM t WHERE placed IS NOT NULL GROUP BY placed ORDER BY placed;
