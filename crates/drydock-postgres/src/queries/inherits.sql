-- Parents of the tables (not partitions) in the schemas in $1, in inheritance order.
SELECT n.nspname AS namespace,
       c.relname AS table_name,
       pn.nspname AS parent_namespace,
       p.relname AS parent_name
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE NOT c.relispartition
  AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, i.inhseqno
