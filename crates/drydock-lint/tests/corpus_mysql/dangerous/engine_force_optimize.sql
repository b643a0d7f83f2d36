-- expect: mysql-table-rebuild, mysql-table-rebuild, mysql-table-rebuild
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `Post` ENGINE=InnoDB;
ALTER TABLE `Post` FORCE;
OPTIMIZE TABLE `Post`;
