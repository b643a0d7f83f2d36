-- expect: mysql-table-rebuild
SET SESSION lock_wait_timeout = 5;
-- Without a known server, MySQL 8.0 is assumed: before 8.0.29 a placed column rebuilds.
ALTER TABLE `User` ADD COLUMN `title` VARCHAR(20) NULL AFTER `name`;
