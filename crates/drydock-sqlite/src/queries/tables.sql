-- User tables with their CREATE statements, without SQLite's own tables and the history
-- table (?1).
SELECT name, sql
FROM sqlite_master
WHERE type = 'table'
  AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND name <> ?1
ORDER BY name
