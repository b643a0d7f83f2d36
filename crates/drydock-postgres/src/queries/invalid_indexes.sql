-- Indexes of a schema left invalid by a failed CREATE INDEX CONCURRENTLY (or REINDEX
-- CONCURRENTLY), as qualified names.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid AND n.nspname = $1
ORDER BY 1
