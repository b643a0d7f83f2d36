-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "app";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "extensions";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "citext" WITH SCHEMA "extensions";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pgcrypto" WITH SCHEMA "app";

-- CreateTable
CREATE TABLE "app"."Account" (
    "id" SERIAL NOT NULL,
    "email" extensions.citext NOT NULL,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "extensions"."Lookup" (
    "code" TEXT NOT NULL,

    CONSTRAINT "Lookup_pkey" PRIMARY KEY ("code")
);
