-- Functions and procedures (`kind` f or p; aggregates and window functions left out) of the
-- schemas in $1 that no extension owns, named with their argument types so overloads differ,
-- with their `CREATE OR REPLACE` definitions.
SELECT n.nspname AS namespace,
       p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS function_name,
       p.prokind::text AS kind,
       pg_get_functiondef(p.oid) AS definition
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p')
  AND n.nspname = ANY($1)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  )
ORDER BY n.nspname, function_name
