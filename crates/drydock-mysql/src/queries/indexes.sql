-- Index keys in order; the primary key is the index `PRIMARY`. SUB_PART is a prefix length,
-- COLLATION `D` a descending key; an expression key has no COLUMN_NAME (its text is the
-- EXPRESSION column on MySQL 8, which MariaDB does not have).
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
