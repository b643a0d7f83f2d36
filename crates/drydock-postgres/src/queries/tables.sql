-- Tables of the schemas in $1, without partitions and without the history table ($2), with
-- their comments; `partition_by` is a partitioned table's PARTITION BY clause.
SELECT n.nspname AS namespace,
       c.relname AS table_name,
       obj_description(c.oid, 'pg_class') AS comment,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname = ANY($1)
  AND c.relname <> $2
ORDER BY n.nspname, c.relname
