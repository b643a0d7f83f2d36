-- The rows of a table and the distinct values and null fraction of its columns (pg_stats).
SELECT c.reltuples::float8, s.attname::text, s.n_distinct::float8, s.null_frac::float8
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r'
