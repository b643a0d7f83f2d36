-- Primary key constraints of the tables and partitions in the schemas in $1, one row per column
-- in key order; a partition's only when it is its own (not made by its partitioned table's key).
SELECT n.nspname AS namespace,
       t.relname AS table_name,
       con.conname AS constraint_name,
       a.attname AS column_name
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE con.contype = 'p'
  AND con.conparentid = 0
  AND n.nspname = ANY($1)
ORDER BY n.nspname, t.relname, k.ord
