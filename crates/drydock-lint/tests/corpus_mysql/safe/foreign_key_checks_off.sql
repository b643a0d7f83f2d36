SET SESSION lock_wait_timeout = 5;
SET foreign_key_checks = 0;
ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`), ALGORITHM=INPLACE, LOCK=NONE;
SET foreign_key_checks = 1;
