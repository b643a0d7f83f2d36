DELETE FROM "Event" WHERE "createdAt" < now() - interval '90 days';
UPDATE "User" SET "nickname" = NULL WHERE "nickname" = '';
