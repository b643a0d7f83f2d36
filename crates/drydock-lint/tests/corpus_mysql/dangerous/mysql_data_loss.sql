-- expect: drop-column, drop-table, rename-column
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `User` DROP COLUMN `bio`, ALGORITHM=INSTANT;
DROP TABLE `Tag`;
ALTER TABLE `Post` RENAME COLUMN `title` TO `headline`, ALGORITHM=INSTANT;
