-- Triggers users created (not the internal ones behind foreign keys) on the tables of the
-- schemas in $1, with their `CREATE TRIGGER` definitions. Triggers of partitions (cloned from
-- their parent's) are left out.
SELECT n.nspname AS namespace,
       c.relname AS table_name,
       tg.tgname AS trigger_name,
       pg_get_triggerdef(tg.oid, true) AS definition
FROM pg_trigger tg
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal
  AND NOT c.relispartition
  AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, tg.tgname
