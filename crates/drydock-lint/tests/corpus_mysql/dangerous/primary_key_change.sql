-- expect: mysql-table-rebuild
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `Tag` DROP PRIMARY KEY,
    ADD PRIMARY KEY (`name`, `label`);
