-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Native" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(255) NOT NULL,
    "code" CHAR(3) NOT NULL,
    "email" CITEXT NOT NULL,
    "price" DECIMAL(10,2) NOT NULL,
    "small" SMALLINT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "day" DATE NOT NULL,
    "clock" TIME(3) NOT NULL,
    "doc" JSON NOT NULL,
    "real" REAL NOT NULL,
    "tags" TEXT[],
    "scores" INTEGER[] DEFAULT ARRAY[1, 2]::INTEGER[],
    "labels" TEXT[] DEFAULT ARRAY['a', 'b']::TEXT[],
    "bare" VARCHAR NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "blob" BYTEA NOT NULL DEFAULT '\x010203',

    CONSTRAINT "Native_pkey" PRIMARY KEY ("id")
);
