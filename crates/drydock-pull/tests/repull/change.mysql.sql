-- A column, a table and an index added; a table, a column dropped; an enum value added.
ALTER TABLE `accounts` ADD COLUMN `nickname` VARCHAR(191) NULL;
CREATE TABLE `Comment` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `body` TEXT NOT NULL,
    `post_id` INTEGER NOT NULL,
    PRIMARY KEY (`id`),
    CONSTRAINT `Comment_post_id_fkey` FOREIGN KEY (`post_id`) REFERENCES `Post` (`id`) ON DELETE RESTRICT ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE INDEX `accounts_name_idx` ON `accounts`(`name`);
DROP TABLE `profiles`;
ALTER TABLE `Post` DROP COLUMN `published`;
ALTER TABLE `accounts` MODIFY `role` ENUM('admin', 'member', 'guest') NOT NULL DEFAULT 'member';
-- A retyped column keeps its comments.
ALTER TABLE `accounts` MODIFY `email_address` VARCHAR(320) NOT NULL;
