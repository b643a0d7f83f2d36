BEGIN;
UPDATE "User" SET "nickname" = 'a' WHERE "id" = 1;
COMMIT;
BEGIN;
UPDATE "User" SET "nickname" = 'b' WHERE "id" = 2;
COMMIT;
