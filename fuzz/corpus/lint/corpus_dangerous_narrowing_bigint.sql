-- expect: narrowing-type-change
SET lock_timeout = '2s';
ALTER TABLE "User" ALTER COLUMN "score" SET DATA TYPE integer;
