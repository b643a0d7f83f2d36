-- expect: mysql-alter-without-algorithm, mysql-alter-without-algorithm
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `User` ALTER COLUMN `age` SET DEFAULT 0;
ALTER TABLE `User` ADD INDEX `User_age_idx`(`age`), ALGORITHM=INPLACE;
