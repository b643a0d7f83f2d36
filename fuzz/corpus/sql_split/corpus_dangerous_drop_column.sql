-- expect: drop-column
SET lock_timeout = '2s';
ALTER TABLE "User" DROP COLUMN "nickname";
