-- Whether the history table (?1) exists.
SELECT count(*) > 0
FROM sqlite_master
WHERE type = 'table'
  AND name = ?1
