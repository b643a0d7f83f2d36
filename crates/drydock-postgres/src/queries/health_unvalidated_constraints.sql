-- Constraints of the managed schemas added NOT VALID and never validated (PgHero's "invalid
-- constraints"): display name of the table, its quoted name, the constraint, its kind.
SELECT n.nspname || '.' || t.relname,
       quote_ident(n.nspname) || '.' || quote_ident(t.relname),
       c.conname::text,
       CASE c.contype WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' ELSE c.contype::text END
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE NOT c.convalidated AND n.nspname::text = ANY($1)
ORDER BY 1, 3
