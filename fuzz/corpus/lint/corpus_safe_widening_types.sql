SET lock_timeout = '2s';
ALTER TABLE "User" ALTER COLUMN "name" TYPE varchar(200);
ALTER TABLE "User" ALTER COLUMN "balance" TYPE numeric(12, 2);
ALTER TABLE "Post" ALTER COLUMN "title" TYPE varchar;
