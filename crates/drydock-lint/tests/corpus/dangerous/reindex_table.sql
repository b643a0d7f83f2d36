-- expect: reindex-without-concurrently
SET lock_timeout = '2s';
REINDEX TABLE "User";
