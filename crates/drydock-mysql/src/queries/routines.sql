-- Functions and procedures (MariaDB's packages left out); their CREATE statements come from
-- SHOW CREATE FUNCTION/PROCEDURE, the one place with parameters, return type and options.
SELECT ROUTINE_TYPE, ROUTINE_NAME
FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE')
ORDER BY ROUTINE_TYPE, ROUTINE_NAME
