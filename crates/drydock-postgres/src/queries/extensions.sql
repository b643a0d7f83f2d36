-- Installed extensions of the database, with their versions and schemas. `plpgsql` is left
-- out: every database gets it from the default template, so it says nothing about a schema.
SELECT e.extname AS name,
       e.extversion AS version,
       n.nspname AS namespace,
       e.extrelocatable AS relocatable
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY e.extname
