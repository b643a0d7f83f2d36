-- Planner statistics of the tables of the managed schemas: analyzed ever, holds rows (has
-- data pages), rows changed since the last analyze, the planner's estimate.
SELECT n.nspname || '.' || c.relname,
       c.relname::text,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       (s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL),
       pg_relation_size(c.oid) > 0,
       coalesce(s.n_mod_since_analyze, 0)::bigint,
       greatest(c.reltuples, 0)::float8
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
WHERE c.relkind = 'r' AND n.nspname::text = ANY($1)
ORDER BY 1
