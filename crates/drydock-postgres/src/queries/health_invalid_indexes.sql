-- Invalid indexes of the managed schemas, without those a concurrent build in progress has
-- (PgHero excludes them too): table, quoted index name, index, unique, definition.
SELECT n.nspname || '.' || t.relname,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       c.relname::text,
       i.indisunique,
       pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid AND n.nspname::text = ANY($1)
  AND NOT EXISTS (
    SELECT 1 FROM pg_stat_progress_create_index p
    WHERE p.index_relid = i.indexrelid OR (p.index_relid = 0 AND p.relid = i.indrelid)
  )
ORDER BY 1, 3
