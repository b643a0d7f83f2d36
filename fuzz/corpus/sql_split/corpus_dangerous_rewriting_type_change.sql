-- expect: rewriting-type-change
SET lock_timeout = '2s';
ALTER TABLE "Post" ALTER COLUMN "authorId" TYPE bigint;
