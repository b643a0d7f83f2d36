-- expect: set-not-null-without-check
SET lock_timeout = '2s';
ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;
