/* drydock stats */
-- The user's tables (drydock's own schema left out): rows, dead rows, sizes, last vacuum and
-- analyze (manual or automatic, the later one).
SELECT s.schemaname::text,
       s.relname::text,
       s.n_live_tup::bigint,
       s.n_dead_tup::bigint,
       pg_table_size(s.relid)::bigint,
       pg_indexes_size(s.relid)::bigint,
       greatest(s.last_vacuum, s.last_autovacuum),
       greatest(s.last_analyze, s.last_autoanalyze),
       s.n_mod_since_analyze::bigint
FROM pg_stat_user_tables s
WHERE s.schemaname <> '_drydock'
ORDER BY 1, 2
