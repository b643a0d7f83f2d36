-- expect: mysql-copying-alter
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `User` MODIFY `age` BIGINT NOT NULL;
