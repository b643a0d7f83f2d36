CREATE TABLE "animal" (
  "id" INTEGER NOT NULL,
  "name" TEXT,
  "legs" INTEGER,
  CONSTRAINT "animal_legs_check" CHECK ("legs" >= 0)
);
CREATE TABLE "dog" (
  "breed" TEXT,
  CONSTRAINT "dog_pkey" PRIMARY KEY ("id")
) INHERITS ("animal");
CREATE TABLE "cat" (
  "id" INTEGER NOT NULL,
  "name" TEXT,
  "legs" INTEGER,
  "indoor" BOOLEAN
);
CREATE TABLE "region" (
  "id" INTEGER NOT NULL,
  "at" INTEGER NOT NULL
) PARTITION BY RANGE ("at");
CREATE TABLE "region_low" PARTITION OF "region" FOR VALUES FROM (0) TO (100) PARTITION BY LIST ("id");
CREATE TABLE "region_low_one" PARTITION OF "region_low" FOR VALUES IN (1);
CREATE TABLE "region_high" PARTITION OF "region" FOR VALUES FROM (100) TO (200);
