-- expect: transaction-nesting
BEGIN;
UPDATE "User" SET "nickname" = 'a' WHERE "id" = 1;
