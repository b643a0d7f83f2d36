-- expect: mysql-copying-alter
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `Tag` DROP PRIMARY KEY;
