-- AlterTable
ALTER TABLE `chat_messages` MODIFY `message` TEXT NOT NULL,
    MODIFY `response` TEXT NULL;
