-- expect: volatile-column-default, volatile-column-default, volatile-column-default
SET lock_timeout = '2s';
ALTER TABLE "User" ADD COLUMN "token" uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE "Event" ADD COLUMN "seenAt" timestamptz DEFAULT clock_timestamp();
ALTER TABLE "Post" ADD COLUMN "rank" bigserial;
