-- Indexes other than primary keys of the tables in the schemas in $1 (history table $2 left
-- out), one row per key column in order. `column_name` is NULL for an expression; INCLUDE
-- columns are left out. `descending` reads bit 0 of indoption; `default_opclass` says whether
-- the column's operator class is its type's default for the access method.
SELECT n.nspname AS namespace,
       t.relname AS table_name,
       ic.relname AS index_name,
       i.indisunique AS is_unique,
       am.amname AS method,
       a.attname AS column_name,
       (i.indoption[(k.ord - 1)::int] & 1) = 1 AS descending,
       opc.opcname AS opclass,
       COALESCE(opc.opcdefault, true) AS default_opclass
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum <> 0
LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[(k.ord - 1)::int]
WHERE NOT i.indisprimary
  AND t.relkind IN ('r', 'p')
  AND NOT t.relispartition
  AND n.nspname = ANY($1)
  AND t.relname <> $2
  AND k.ord <= i.indnkeyatts
ORDER BY n.nspname, t.relname, ic.relname, k.ord
