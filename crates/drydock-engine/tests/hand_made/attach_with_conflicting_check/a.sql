CREATE TABLE "reading" (
  "id" INTEGER NOT NULL,
  "value" INTEGER NOT NULL,
  CONSTRAINT "reading_value_check" CHECK ("value" >= 0)
) PARTITION BY RANGE ("id");
CREATE TABLE "reading_low" PARTITION OF "reading" FOR VALUES FROM (0) TO (100);
CREATE TABLE "reading_high" (
  "id" INTEGER NOT NULL,
  "value" INTEGER NOT NULL,
  CONSTRAINT "reading_value_check" CHECK ("value" > 10),
  CONSTRAINT "reading_high_id_check" CHECK ("id" >= 100)
);
INSERT INTO "reading" VALUES (1, 7);
INSERT INTO "reading_high" VALUES (150, 20);
