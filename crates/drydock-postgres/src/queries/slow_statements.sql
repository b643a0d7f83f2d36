-- Statements of this database that pg_stat_statements measured at least $1 times with a mean
-- execution time of at least $2 ms, the most time-consuming first.
SELECT s.query, s.calls, s.mean_exec_time
FROM pg_stat_statements s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND s.calls >= $1 AND s.mean_exec_time >= $2
ORDER BY s.total_exec_time DESC
LIMIT 100
