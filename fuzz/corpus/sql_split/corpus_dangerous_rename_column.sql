-- expect: rename-column
SET lock_timeout = '2s';
ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
