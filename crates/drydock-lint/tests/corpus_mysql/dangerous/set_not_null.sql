-- expect: mysql-table-rebuild
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `User` MODIFY `nickname` VARCHAR(191) NOT NULL;
