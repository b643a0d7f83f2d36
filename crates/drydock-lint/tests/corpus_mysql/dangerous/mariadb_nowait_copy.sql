-- expect: mysql-copying-alter
-- The wait clause bounds the lock wait, not the copy.
ALTER TABLE `User` NOWAIT MODIFY `age` BIGINT NOT NULL;
