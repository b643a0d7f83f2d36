SET lock_timeout = '2s';
ALTER TABLE "User" ALTER COLUMN "nickname" SET DEFAULT 'x';
