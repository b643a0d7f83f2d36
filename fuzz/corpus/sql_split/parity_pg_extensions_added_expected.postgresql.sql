-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "citext";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "hstore" WITH SCHEMA "public" VERSION "1.8";

-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "slug" citext;
