-- AUTO_INCREMENT columns of the database that have handed out values: the table, the column,
-- its type (`int`, `tinyint unsigned`...), the last value handed out (the table's counter less
-- one).
SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, t.AUTO_INCREMENT - 1
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = DATABASE() AND c.EXTRA LIKE '%auto_increment%'
  AND t.AUTO_INCREMENT > 1
ORDER BY 1
