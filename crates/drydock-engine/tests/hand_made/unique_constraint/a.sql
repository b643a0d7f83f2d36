CREATE TABLE "account" (
  "id" INTEGER NOT NULL,
  "email" TEXT NOT NULL,
  "handle" TEXT,
  CONSTRAINT "account_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "account_email_key" UNIQUE ("email"),
  CONSTRAINT "account_handle_key" UNIQUE ("handle")
);
