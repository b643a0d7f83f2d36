SET lock_timeout = '2s';
ALTER TABLE "User" ADD COLUMN "plan" text NOT NULL DEFAULT 'free';
ALTER TABLE "Event" ADD COLUMN "loggedAt" timestamptz DEFAULT now();
