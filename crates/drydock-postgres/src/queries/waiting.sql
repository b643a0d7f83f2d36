-- What a session waits for, and the sessions it waits for.
SELECT a.wait_event_type || ': ' || a.wait_event,
       pg_blocking_pids(a.pid)
FROM pg_stat_activity a
WHERE a.pid = $1 AND a.wait_event_type IS NOT NULL
