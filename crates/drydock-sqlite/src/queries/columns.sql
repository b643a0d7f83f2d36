-- Columns of table ?1 in declaration order; `pk` is the 1-based position in the primary key.
SELECT name, type, "notnull", dflt_value, pk
FROM pragma_table_info(?1)
ORDER BY cid
