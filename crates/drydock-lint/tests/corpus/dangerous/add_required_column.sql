-- expect: add-required-column
SET lock_timeout = '2s';
ALTER TABLE "User" ADD COLUMN "plan" TEXT NOT NULL;
