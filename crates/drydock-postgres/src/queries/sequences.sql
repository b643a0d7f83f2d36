-- Sequences of the schemas in $1 that no column owns (a SERIAL or identity column's sequence
-- is part of the column) and no extension owns.
SELECT n.nspname AS namespace,
       c.relname AS sequence_name
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S'
  AND n.nspname = ANY($1)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass
        AND d.objid = c.oid
        AND (d.deptype = 'e' OR (d.deptype IN ('a', 'i') AND d.refobjsubid > 0))
  )
ORDER BY n.nspname, c.relname
