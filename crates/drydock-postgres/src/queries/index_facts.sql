-- The indexes of the tables of the schemas in $1: keys (column names, with operator class,
-- collation and order for comparison), kind, the constraint each backs, validity, scans since
-- the statistics reset, size and definition. A partitioned table's index counts the scans and
-- bytes of its partitions' indexes, which are left out as its own; a partition's index of its
-- own is read as any other.
SELECT n.nspname::text,
       t.relname::text,
       c.relname::text,
       am.amname::text,
       ARRAY(
         SELECT CASE WHEN i.indkey[k] = 0 THEN pg_get_indexdef(i.indexrelid, k + 1, true)
                     ELSE (SELECT a.attname::text FROM pg_attribute a
                           WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k]) END
         FROM generate_series(0, i.indnkeyatts - 1) AS k ORDER BY k
       ) AS columns,
       ARRAY(
         SELECT pg_get_indexdef(i.indexrelid, k + 1, true) || ' ' || i.indclass[k]::text || ' '
                || i.indcollation[k]::text || ' ' || i.indoption[k]::text
         FROM generate_series(0, i.indnkeyatts - 1) AS k ORDER BY k
       ) AS keys,
       i.indexprs IS NOT NULL,
       pg_get_expr(i.indpred, i.indrelid, true),
       i.indisprimary,
       i.indisunique,
       con.conname::text,
       i.indisvalid,
       CASE WHEN c.relkind = 'I'
            THEN (SELECT sum(ps.idx_scan)::bigint FROM pg_partition_tree(i.indexrelid) AS pt
                  JOIN pg_stat_user_indexes ps ON ps.indexrelid = pt.relid)
            ELSE s.idx_scan END,
       CASE WHEN c.relkind = 'I'
            THEN (SELECT COALESCE(sum(pg_relation_size(pt.relid)), 0)::bigint
                  FROM pg_partition_tree(i.indexrelid) AS pt)
            ELSE pg_relation_size(c.oid) END,
       pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = c.relam
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
  AND con.contype IN ('p', 'u', 'x')
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
WHERE n.nspname = ANY($1) AND t.relkind IN ('r', 'm', 'p')
  AND (NOT t.relispartition
       OR NOT EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = i.indexrelid))
  AND t.relname NOT IN ('_prisma_migrations', '_drydock_seeds', '_drydock_backfills', '_drydock_runs')
ORDER BY 1, 2, 3
