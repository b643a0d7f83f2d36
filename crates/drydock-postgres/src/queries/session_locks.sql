-- Table locks held or awaited by the given backend pids, outside the system schemas.
SELECT l.pid,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       l.mode,
       l.granted
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = ANY($1)
  AND l.locktype = 'relation'
  AND c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY l.pid, 2, l.mode
