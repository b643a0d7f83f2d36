-- expect: mysql-copying-alter
SET SESSION lock_wait_timeout = 5;
-- `Legacy` is not in the files read: its column's type before is unknown.
ALTER TABLE `Legacy` MODIFY `code` VARCHAR(20) NOT NULL;
