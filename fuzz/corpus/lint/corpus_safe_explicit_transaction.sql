SET lock_timeout = '2s';
BEGIN;
ALTER TABLE "User" ADD COLUMN "bio" text;
COMMIT;
CREATE INDEX CONCURRENTLY "User_bio_idx" ON "User"("bio");
