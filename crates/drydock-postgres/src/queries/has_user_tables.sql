-- Whether schema $1 holds a table other than the history table ($2).
SELECT 1
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1
  AND c.relname <> $2
  AND c.relkind IN ('r', 'p')
LIMIT 1
