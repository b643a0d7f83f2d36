/* drydock stats */
-- The top statements of this database by total and by mean time (planning and execution),
-- from pg_stat_statements (PostgreSQL 13 or later), drydock's own left out. $1: how many of
-- each.
WITH mine AS (
  SELECT queryid, query, calls, rows,
         total_exec_time + total_plan_time AS total_ms,
         (total_exec_time + total_plan_time) / nullif(calls, 0) AS mean_ms
  FROM pg_stat_statements
  WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND calls > 0
    -- drydock's own reads are not the application's load.
    AND query NOT LIKE '/* drydock stats */%'
),
top AS (
  (SELECT * FROM mine ORDER BY total_ms DESC LIMIT $1)
  UNION
  (SELECT * FROM mine ORDER BY mean_ms DESC LIMIT $1)
)
SELECT queryid::text, left(query, 2000), calls::bigint, total_ms::float8,
       coalesce(mean_ms, 0)::float8, rows::bigint
FROM top
ORDER BY total_ms DESC
