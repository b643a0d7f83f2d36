-- expect: mysql-modify-drops-attributes
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `Audit` MODIFY `updatedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), ALGORITHM=INSTANT;
