-- Check constraints by table, on MariaDB: a column's check is named after the column, so the
-- same name appears in several tables. A JSON column is LONGTEXT with the check
-- `json_valid(`column`)`.
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, CONSTRAINT_NAME
