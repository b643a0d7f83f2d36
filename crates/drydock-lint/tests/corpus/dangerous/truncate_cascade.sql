-- expect: truncate
SET lock_timeout = '2s';
TRUNCATE "User" CASCADE;
