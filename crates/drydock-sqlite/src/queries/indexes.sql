-- Indexes of table ?1 other than the primary key's.
SELECT name, "unique"
FROM pragma_index_list(?1)
WHERE origin <> 'pk'
ORDER BY name
