-- Reads through each index of the database since the server started (performance_schema).
SELECT OBJECT_NAME, INDEX_NAME, COUNT_READ
FROM performance_schema.table_io_waits_summary_by_index_usage
WHERE OBJECT_SCHEMA = DATABASE() AND INDEX_NAME IS NOT NULL
