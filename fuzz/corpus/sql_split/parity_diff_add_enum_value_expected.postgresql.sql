-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'ADMIN';
