-- The sessions with the given backend pids: who they are, what they run, how old their
-- transaction is.
SELECT a.pid,
       a.usename::text,
       nullif(a.application_name, ''),
       host(a.client_addr),
       a.state,
       (extract(epoch FROM now() - a.xact_start) * 1000)::bigint,
       left(regexp_replace(a.query, '\s+', ' ', 'g'), 240)
FROM pg_stat_activity a
WHERE a.pid = ANY($1)
ORDER BY a.xact_start NULLS LAST, a.pid
