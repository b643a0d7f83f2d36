-- Enum types of the schemas in $1 with their values in declaration order (`enumsortorder`).
-- `value` is NULL for an enum without values.
SELECT n.nspname AS namespace,
       t.typname AS enum_name,
       e.enumlabel AS value
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e'
  AND n.nspname = ANY($1)
ORDER BY n.nspname, t.typname, e.enumsortorder
