SET lock_timeout = '2s';
ALTER TYPE "Role" ADD VALUE 'MODERATOR';
