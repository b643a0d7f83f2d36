-- Indexes of table ?1 other than the primary key's, with their CREATE statements (NULL for the
-- indexes SQLite makes for UNIQUE constraints) and whether they are partial, in creation order
-- (`pragma_index_list` lists the newest first).
SELECT il.name, il."unique", m.sql, il.partial
FROM pragma_index_list(?1) AS il
LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = il.name
WHERE il.origin <> 'pk'
ORDER BY il.seq DESC
