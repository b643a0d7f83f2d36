/* drydock stats */
-- Primary: each replica streaming from it, its replay lag (time and bytes).
SELECT coalesce(nullif(application_name, ''), client_addr::text, pid::text),
       extract(epoch FROM replay_lag)::float8,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint
FROM pg_stat_replication
ORDER BY 1
