-- Client sessions on this database, other than this one, that have a transaction open or hold
-- (or await) a lock on a relation of the managed schema ($1).
SELECT a.pid
FROM pg_stat_activity a
WHERE a.datname = current_database()
  AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend'
  AND (a.xact_start IS NOT NULL
       OR EXISTS (SELECT 1
                  FROM pg_locks l
                  JOIN pg_class c ON c.oid = l.relation
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE l.pid = a.pid
                    AND l.locktype = 'relation'
                    AND n.nspname = $1::text))
ORDER BY a.pid
