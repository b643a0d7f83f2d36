-- Views and materialized views (`kind` v or m) of the schemas in $1 with their queries, as
-- `pg_get_viewdef` prints them. Views an extension owns are left out.
SELECT n.nspname AS namespace,
       c.relname AS view_name,
       c.relkind::text AS kind,
       pg_get_viewdef(c.oid, true) AS definition
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm')
  AND n.nspname = ANY($1)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
ORDER BY n.nspname, c.relname
