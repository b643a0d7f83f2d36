-- expect: rename-table
SET lock_timeout = '2s';
ALTER TABLE "Post" RENAME TO "Article";
