-- drydock-lint-ignore-file require-lock-timeout
-- drydock-lint-ignore drop-column, D4101
ALTER TABLE "User" DROP COLUMN "nickname";
-- drydock-lint-ignore drop-table
DROP TABLE "Event";
