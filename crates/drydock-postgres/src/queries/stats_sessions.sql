/* drydock stats */
-- The other client sessions on this database, with the sessions holding the locks each waits
-- for. Ages in seconds.
SELECT pid::bigint,
       usename::text,
       nullif(application_name, ''),
       state,
       left(query, 1000),
       extract(epoch FROM clock_timestamp() - query_start)::float8,
       extract(epoch FROM clock_timestamp() - xact_start)::float8,
       extract(epoch FROM clock_timestamp() - state_change)::float8,
       CASE WHEN wait_event_type IS NOT NULL THEN wait_event_type || ': ' || wait_event END,
       pg_blocking_pids(pid)::bigint[]
FROM pg_stat_activity
WHERE datname = current_database()
  AND pid <> pg_backend_pid()
  AND backend_type = 'client backend'
ORDER BY pid
