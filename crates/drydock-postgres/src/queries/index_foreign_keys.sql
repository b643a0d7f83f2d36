-- The foreign keys of the tables of the schemas in $1, with their columns in key order; a
-- partition's copy of its partitioned table's key is the table's.
SELECT n.nspname::text,
       t.relname::text,
       c.conname::text,
       ARRAY(
         SELECT a.attname::text
         FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, position)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
         ORDER BY k.position
       ),
       r.relname::text
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class r ON r.oid = c.confrelid
WHERE c.contype = 'f' AND n.nspname = ANY($1) AND t.relkind IN ('r', 'p') AND c.conparentid = 0
ORDER BY 1, 2, 3
