-- Columns of the tables of tables.sql, in ordinal order. For arrays, the type columns describe
-- the element type; `formatted_type` applies the column's modifier (length, precision).
-- `comment` is the column's comment; `collation` is set when it is not the type's default.
-- `inherited`: the column comes from a parent table (declared on this one too or not).
-- A generated column's expression comes out as `default_expr`, with `generated` = 's'.
SELECT n.nspname AS namespace,
       c.relname AS table_name,
       a.attname AS column_name,
       a.attnotnull AS not_null,
       (t.typelem <> 0 AND t.typlen = -1) AS is_array,
       format_type(et.oid, a.atttypmod) AS formatted_type,
       et.typname AS type_name,
       et.typtype::text AS type_kind,
       etn.nspname AS type_namespace,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       a.attidentity::text AS identity,
       a.attgenerated::text AS generated,
       a.attinhcount > 0 AS inherited,
       CASE WHEN a.attcollation <> et.typcollation THEN co.collname END AS collation,
       col_description(c.oid, a.attnum) AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type et ON et.oid = CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem ELSE t.oid END
JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname = ANY($1)
  AND c.relname <> $2
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY n.nspname, c.relname, a.attnum
