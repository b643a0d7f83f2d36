CREATE TABLE "city" (
  "id" INTEGER NOT NULL,
  "name" TEXT NOT NULL,
  "code" VARCHAR(8) COLLATE "C",
  CONSTRAINT "city_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "city_name_idx" ON "city"("name");
