-- expect: enum-value-used-in-transaction
SET lock_timeout = '2s';
ALTER TYPE "Role" ADD VALUE 'MODERATOR';
UPDATE "User" SET "role" = 'MODERATOR' WHERE "id" = 1;
