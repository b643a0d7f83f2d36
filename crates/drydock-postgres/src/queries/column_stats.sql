-- The rows of a table (of a partitioned table: of its partitions), each of its columns, and
-- the distinct values and null fraction of the column when analyzed (pg_stats; a partitioned
-- table's are over all its partitions).
SELECT CASE WHEN c.relkind = 'p'
            THEN (SELECT COALESCE(sum(greatest(l.reltuples, 0)), 0)
                  FROM pg_partition_tree(c.oid) AS pt
                  JOIN pg_class l ON l.oid = pt.relid
                  WHERE pt.isleaf)
            ELSE c.reltuples END::float8,
       a.attname::text,
       s.n_distinct::float8,
       s.null_frac::float8
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname
  AND s.attname = a.attname AND s.inherited = (c.relkind = 'p')
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
ORDER BY a.attnum
