-- expect: mysql-fulltext-spatial-index, mysql-fulltext-spatial-index
SET SESSION lock_wait_timeout = 5;
CREATE FULLTEXT INDEX `Post_body_idx` ON `Post`(`body`);
ALTER TABLE `User` ADD FULLTEXT INDEX `User_bio_idx`(`bio`);
