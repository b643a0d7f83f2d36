-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "account_status" AS ENUM ('active', 'disabled');

-- CreateTable
CREATE TABLE "Account" (
    "id" SERIAL NOT NULL,
    "status" "account_status" NOT NULL DEFAULT 'active',
    "prior" "account_status",

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);
