-- Indexes other than primary keys and exclusion constraints of the tables in the schemas in $1
-- (history table $2 left out), one row per column in order: key columns first (`is_key`), then
-- INCLUDE columns. `column_name` is NULL for an expression key, whose text is `expression`.
-- `descending` reads bit 0 of indoption; `default_opclass` says whether the column's operator
-- class is its type's default for the access method. `predicate` is a partial index's WHERE.
-- `constraint_backed`: the index belongs to a UNIQUE constraint. A partition's indexes are read
-- too, but only its own: one attached to an index of its partitioned table is the table's.
SELECT n.nspname AS namespace,
       t.relname AS table_name,
       ic.relname AS index_name,
       i.indisunique AS is_unique,
       am.amname AS method,
       a.attname AS column_name,
       CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) END AS expression,
       k.ord <= i.indnkeyatts AS is_key,
       COALESCE((i.indoption[(k.ord - 1)::int] & 1) = 1, false) AS descending,
       opc.opcname AS opclass,
       COALESCE(opc.opcdefault, true) AS default_opclass,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       EXISTS (SELECT 1 FROM pg_constraint con
               WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                 AND con.contype = 'u') AS constraint_backed
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum <> 0
LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[(k.ord - 1)::int] AND k.ord <= i.indnkeyatts
WHERE NOT i.indisprimary
  AND NOT i.indisexclusion
  AND t.relkind IN ('r', 'p')
  AND (NOT t.relispartition
       OR NOT EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = i.indexrelid))
  AND n.nspname = ANY($1)
  AND t.relname <> $2
ORDER BY n.nspname, t.relname, ic.relname, k.ord
