-- Optimizer statistics of the database's InnoDB tables: analyzed (persistent statistics, or
-- statistics the server computed since it opened the table), holds rows, rows changed since
-- the statistics were computed (counted while the table is open), the optimizer's row
-- estimate. `{tablestats}` is the server's view of InnoDB's table statistics.
SELECT t.TABLE_NAME,
       p.table_name IS NOT NULL OR s.STATS_INITIALIZED IN ('1', 'Initialized'),
       COALESCE(s.NUM_ROWS, t.TABLE_ROWS, 0) > 0,
       COALESCE(s.MODIFIED_COUNTER, 0),
       COALESCE(p.n_rows, s.NUM_ROWS, t.TABLE_ROWS, 0)
FROM information_schema.TABLES t
LEFT JOIN information_schema.{tablestats} s ON s.NAME = CONCAT(t.TABLE_SCHEMA, '/', t.TABLE_NAME)
LEFT JOIN mysql.innodb_table_stats p
  ON p.database_name = t.TABLE_SCHEMA AND p.table_name = t.TABLE_NAME
WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' AND t.ENGINE = 'InnoDB'
ORDER BY 1
