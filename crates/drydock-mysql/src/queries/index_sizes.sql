-- The size of each InnoDB index of the database in bytes, from its persistent statistics.
SELECT table_name, index_name, stat_value * @@innodb_page_size
FROM mysql.innodb_index_stats
WHERE database_name = DATABASE() AND stat_name = 'size'
