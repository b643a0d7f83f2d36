-- Whether the database holds a table other than SQLite's own and the history table (?1).
SELECT count(*) > 0
FROM sqlite_master
WHERE type = 'table'
  AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND name <> ?1
