-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Everything" (
    "id" SERIAL NOT NULL,
    "s" TEXT NOT NULL DEFAULT 'it''s',
    "os" TEXT,
    "b" BOOLEAN NOT NULL DEFAULT true,
    "ob" BOOLEAN,
    "i" INTEGER NOT NULL DEFAULT -3,
    "oi" INTEGER,
    "bi" BIGINT NOT NULL DEFAULT 42,
    "obi" BIGINT,
    "f" DOUBLE PRECISION NOT NULL DEFAULT 1.5,
    "of" DOUBLE PRECISION,
    "d" DECIMAL(65,30) NOT NULL DEFAULT 2.25,
    "od" DECIMAL(65,30),
    "dt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "odt" TIMESTAMP(3),
    "dtLit" TIMESTAMP(3) NOT NULL DEFAULT '2020-01-01 00:00:00 +00:00',
    "j" JSONB,
    "by" BYTEA,
    "uuid" TEXT NOT NULL,
    "generated" TEXT NOT NULL DEFAULT 'abc',

    CONSTRAINT "Everything_pkey" PRIMARY KEY ("id")
);
