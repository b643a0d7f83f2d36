-- expect: update-without-where
UPDATE "User" SET "nickname" = NULL;
