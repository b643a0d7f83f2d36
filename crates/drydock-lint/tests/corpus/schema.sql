-- The schema every corpus file changes: linted first, its own findings not counted.
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TABLE "User" (
    "id" integer PRIMARY KEY,
    "email" text,
    "name" varchar(100),
    "role" "Role" NOT NULL DEFAULT 'USER',
    "score" bigint,
    "nickname" text,
    "balance" numeric(10, 2)
);
CREATE TABLE "Post" ("id" integer PRIMARY KEY, "authorId" integer, "title" text);
CREATE TABLE "Event" ("id" integer PRIMARY KEY, "createdAt" timestamp);
ALTER TABLE "User" ADD CONSTRAINT "User_email_not_null" CHECK ("email" IS NOT NULL) NOT VALID;
ALTER TABLE "User" VALIDATE CONSTRAINT "User_email_not_null";
CREATE INDEX "User_name_idx" ON "User"("name");
CREATE TABLE "Log" ("id" integer, "at" timestamp) PARTITION BY RANGE ("at");
CREATE TABLE "Log_2023" PARTITION OF "Log" FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE DOMAIN "positive_int" AS integer;
