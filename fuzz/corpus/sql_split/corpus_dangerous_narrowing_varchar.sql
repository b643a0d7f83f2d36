-- expect: narrowing-type-change
SET lock_timeout = '2s';
ALTER TABLE "User" ALTER COLUMN "name" TYPE varchar(20);
