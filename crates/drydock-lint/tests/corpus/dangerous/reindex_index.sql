-- expect: reindex-without-concurrently
SET lock_timeout = '2s';
REINDEX INDEX "User_name_idx";
