/* drydock stats */
-- The user's indexes (drydock's own schema left out): size and scans.
SELECT s.schemaname::text,
       s.relname::text,
       s.indexrelname::text,
       pg_relation_size(s.indexrelid)::bigint,
       s.idx_scan::bigint
FROM pg_stat_user_indexes s
WHERE s.schemaname <> '_drydock'
ORDER BY 1, 2, 3
