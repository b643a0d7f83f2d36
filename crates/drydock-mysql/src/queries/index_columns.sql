-- The keys of every index of the database, in order: table, index, column (NULL for an
-- expression), prefix length, order (`A`, `D`, NULL), whether unique, method.
SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART, COLLATION, NON_UNIQUE = 0, INDEX_TYPE
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX
