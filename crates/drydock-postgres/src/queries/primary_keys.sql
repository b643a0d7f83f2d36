-- Primary key constraints of the tables in the schemas in $1, one row per column in key order.
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
  AND n.nspname = ANY($1)
ORDER BY n.nspname, t.relname, k.ord
