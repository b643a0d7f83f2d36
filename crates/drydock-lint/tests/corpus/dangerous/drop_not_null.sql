-- expect: drop-not-null
SET lock_timeout = '2s';
ALTER TABLE "User" ALTER COLUMN "role" DROP NOT NULL;
