-- Tables of the connection's database: name, comment, default collation.
SELECT TABLE_NAME, TABLE_COMMENT, TABLE_COLLATION
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
ORDER BY TABLE_NAME
