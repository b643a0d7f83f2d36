-- expect: require-lock-timeout
ALTER TABLE "User" ADD COLUMN "bio" text;
ALTER TABLE "Post" ADD COLUMN "summary" text;
