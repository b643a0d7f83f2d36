-- expect: mysql-copying-alter, narrowing-type-change
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `Post` MODIFY `title` VARCHAR(100) NOT NULL;
