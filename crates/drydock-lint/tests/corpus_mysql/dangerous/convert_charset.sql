-- expect: mysql-copying-alter
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `Post` CONVERT TO CHARACTER SET latin1;
