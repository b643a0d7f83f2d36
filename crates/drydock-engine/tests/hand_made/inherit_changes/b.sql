CREATE TABLE "animal" (
  "id" INTEGER NOT NULL,
  "name" TEXT,
  "legs" BIGINT,
  CONSTRAINT "animal_legs_check" CHECK ("legs" >= 0)
);
CREATE TABLE "dog" (
  "id" INTEGER NOT NULL,
  "name" TEXT,
  "legs" INTEGER,
  "breed" TEXT,
  CONSTRAINT "dog_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "cat" (
  "indoor" BOOLEAN
) INHERITS ("animal");
CREATE TABLE "region" (
  "id" INTEGER NOT NULL,
  "at" INTEGER NOT NULL
) PARTITION BY RANGE ("at");
CREATE TABLE "region_low" PARTITION OF "region" FOR VALUES FROM (0) TO (100) PARTITION BY LIST ("id");
CREATE TABLE "region_low_two" PARTITION OF "region_low" FOR VALUES IN (2);
CREATE TABLE "region_low_rest" PARTITION OF "region_low" DEFAULT;
CREATE TABLE "region_high" PARTITION OF "region" FOR VALUES FROM (100) TO (200) PARTITION BY LIST ("id");
CREATE TABLE "region_high_one" PARTITION OF "region_high" FOR VALUES IN (1);
CREATE INDEX "region_at_idx" ON "region"("at");
