-- expect: drop-column
-- Only the statement right after an ignore comment is spared.
SET lock_timeout = '2s';
-- drydock-lint-ignore drop-column
ALTER TABLE "User" DROP COLUMN "nickname";
ALTER TABLE "User" DROP COLUMN "balance";
