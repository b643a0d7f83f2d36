-- Partitions of the partitioned tables in the schemas in $1 (and of partitions that are
-- partitioned themselves), with their bounds; `partition_by` is a partitioned partition's
-- PARTITION BY clause. `required_columns` are the columns a partition keeps NOT NULL of its
-- own: in a primary key of its own (not one its partitioned table's key made), or NOT NULL
-- where the partitioned table leaves them nullable.
SELECT n.nspname AS namespace,
       parent.relname AS table_name,
       c.relname AS partition_name,
       pg_get_expr(c.relpartbound, c.oid) AS bound,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by,
       ARRAY(
         SELECT a.attname::text
         FROM pg_attribute a
         JOIN pg_attribute pa ON pa.attrelid = parent.oid AND pa.attname = a.attname
         WHERE a.attrelid = c.oid
           AND a.attnum > 0
           AND NOT a.attisdropped
           AND a.attnotnull
           AND (NOT pa.attnotnull
                OR EXISTS (SELECT 1
                           FROM pg_constraint k
                           WHERE k.conrelid = c.oid
                             AND k.contype = 'p'
                             AND k.conparentid = 0
                             AND a.attnum = ANY(k.conkey)))
         ORDER BY a.attname
       ) AS required_columns
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class parent ON parent.oid = i.inhparent
JOIN pg_namespace n ON n.oid = parent.relnamespace
WHERE c.relispartition
  AND parent.relkind = 'p'
  AND n.nspname = ANY($1)
ORDER BY n.nspname, parent.relname, c.relname
