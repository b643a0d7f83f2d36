-- expect: mysql-copying-alter
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `User` ADD COLUMN `plan` VARCHAR(20) NULL, ALGORITHM=COPY;
