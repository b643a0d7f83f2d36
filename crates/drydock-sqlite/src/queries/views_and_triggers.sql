-- Views and triggers with their CREATE statements; `tbl_name` is a trigger's table. SQLite's
-- own objects are left out.
SELECT type, name, tbl_name, sql
FROM sqlite_master
WHERE type IN ('view', 'trigger')
  AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY type DESC, name
