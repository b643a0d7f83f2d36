-- Partitions of the partitioned tables in the schemas in $1 (and of partitions that are
-- partitioned themselves), with their bounds; `partition_by` is a partitioned partition's
-- PARTITION BY clause.
SELECT n.nspname AS namespace,
       parent.relname AS table_name,
       c.relname AS partition_name,
       pg_get_expr(c.relpartbound, c.oid) AS bound,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class parent ON parent.oid = i.inhparent
JOIN pg_namespace n ON n.oid = parent.relnamespace
WHERE c.relispartition
  AND parent.relkind = 'p'
  AND n.nspname = ANY($1)
ORDER BY n.nspname, parent.relname, c.relname
