-- expect: mysql-require-lock-wait-timeout
DROP INDEX `User_email_key` ON `User`;
