-- expect: require-concurrent-index-drop
SET lock_timeout = '2s';
DROP INDEX "User_name_idx";
