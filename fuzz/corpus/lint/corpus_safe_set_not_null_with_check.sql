-- schema.sql validated CHECK ("email" IS NOT NULL) in an earlier migration.
SET lock_timeout = '2s';
ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;
