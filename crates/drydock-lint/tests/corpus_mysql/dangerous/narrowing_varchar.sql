-- expect: mysql-copying-alter
SET SESSION lock_wait_timeout = 5;
-- 50 characters fit a 1-byte length prefix, 100 need 2: the column is copied.
ALTER TABLE `User` MODIFY `name` VARCHAR(100) NULL;
