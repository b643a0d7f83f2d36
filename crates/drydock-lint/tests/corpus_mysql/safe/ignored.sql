SET SESSION lock_wait_timeout = 5;
-- drydock-lint-ignore mysql-copying-alter
ALTER TABLE `User` MODIFY `age` BIGINT NOT NULL;
