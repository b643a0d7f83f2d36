-- Every schema a user could have created: all but PostgreSQL's own.
SELECT nspname
FROM pg_namespace
WHERE nspname NOT LIKE 'pg\_%'
  AND nspname <> 'information_schema'
ORDER BY nspname
