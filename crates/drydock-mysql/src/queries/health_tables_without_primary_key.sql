-- Base tables of the database without a primary key, and whether a unique index over NOT NULL
-- columns stands in for one.
SELECT t.TABLE_NAME,
       EXISTS (
         SELECT 1 FROM information_schema.STATISTICS s
         WHERE s.TABLE_SCHEMA = t.TABLE_SCHEMA AND s.TABLE_NAME = t.TABLE_NAME
           AND s.NON_UNIQUE = 0
         GROUP BY s.INDEX_NAME
         HAVING SUM(s.NULLABLE = 'YES') = 0
       )
FROM information_schema.TABLES t
WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
  AND NOT EXISTS (
    SELECT 1 FROM information_schema.TABLE_CONSTRAINTS k
    WHERE k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME
      AND k.CONSTRAINT_TYPE = 'PRIMARY KEY'
  )
ORDER BY 1
