SET lock_timeout = '2s';
DROP INDEX CONCURRENTLY "User_name_idx";
