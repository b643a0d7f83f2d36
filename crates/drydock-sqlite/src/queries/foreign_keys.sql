-- Foreign keys of table ?1, one row per column pair; `to` is NULL when the key references
-- the other table's primary key implicitly.
SELECT id, "table", "from", "to", on_update, on_delete
FROM pragma_foreign_key_list(?1)
ORDER BY id, seq
