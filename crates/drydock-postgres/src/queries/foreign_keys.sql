-- Foreign keys of the tables in the schemas in $1, one row per column pair in key order.
-- Actions are pg_constraint's codes: a = no action, r = restrict, c = cascade, n = set null,
-- d = set default. Constraints inherited by partitions are left out.
SELECT n.nspname AS namespace,
       t.relname AS table_name,
       con.conname AS constraint_name,
       a.attname AS column_name,
       rn.nspname AS referenced_namespace,
       rt.relname AS referenced_table,
       ra.attname AS referenced_column,
       con.confdeltype::text AS on_delete,
       con.confupdtype::text AS on_update
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class rt ON rt.oid = con.confrelid
JOIN pg_namespace rn ON rn.oid = rt.relnamespace
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, referenced_attnum, ord)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
JOIN pg_attribute ra ON ra.attrelid = rt.oid AND ra.attnum = k.referenced_attnum
WHERE con.contype = 'f'
  AND con.conparentid = 0
  AND n.nspname = ANY($1)
ORDER BY n.nspname, t.relname, con.conname, k.ord
