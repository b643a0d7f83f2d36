CREATE TABLE "account" (
  "id" INTEGER NOT NULL,
  "email" TEXT NOT NULL,
  "handle" TEXT,
  CONSTRAINT "account_id_pk" PRIMARY KEY ("id"),
  CONSTRAINT "account_handle_unique" UNIQUE ("handle")
);
