-- Check and exclusion constraints of the tables in the schemas in $1, as
-- `pg_get_constraintdef` prints them (`CHECK (...)`, `EXCLUDE USING gist (...)`). `kind` is
-- pg_constraint's code: c = check, x = exclusion. Constraints inherited by partitions are left
-- out, and so are checks a table inherits from its parent, declared on it too or not (they come
-- and go with the parent); NOT NULL is a column property, never listed here. A partition's own
-- checks are read too (those of its partitioned table are inherited, so left out).
SELECT n.nspname AS namespace,
       t.relname AS table_name,
       con.conname AS constraint_name,
       con.contype::text AS kind,
       pg_get_constraintdef(con.oid, true) AS definition
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE con.contype IN ('c', 'x')
  AND con.conparentid = 0
  AND (con.contype <> 'c' OR con.coninhcount = 0)
  AND t.relkind IN ('r', 'p')
  AND (NOT t.relispartition OR con.contype = 'c')
  AND n.nspname = ANY($1)
ORDER BY n.nspname, t.relname, con.conname
