CREATE TABLE "city" (
  "id" INTEGER NOT NULL,
  "name" TEXT COLLATE "C" NOT NULL,
  "code" VARCHAR(16) COLLATE "POSIX",
  CONSTRAINT "city_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "city_name_idx" ON "city"("name");
