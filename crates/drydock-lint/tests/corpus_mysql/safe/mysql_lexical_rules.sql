# MySQL's own comments; a semicolon here ends nothing.
SET SESSION lock_wait_timeout = 5;
# A double-quoted string is a string, and a backslash escapes the quote after it.
UPDATE `User` SET `bio` = "it's; fine \" here" WHERE `id` = 1;
INSERT INTO `Post` (`title`, `body`, `authorId`) VALUES ('a\'; b', "c;", 1);
# drydock-lint-ignore mysql-copying-alter
ALTER TABLE `User` MODIFY `age` BIGINT NOT NULL;
