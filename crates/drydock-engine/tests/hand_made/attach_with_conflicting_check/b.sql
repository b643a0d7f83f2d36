CREATE TABLE "reading" (
  "id" INTEGER NOT NULL,
  "value" INTEGER NOT NULL,
  CONSTRAINT "reading_value_check" CHECK ("value" >= 0)
) PARTITION BY RANGE ("id");
CREATE TABLE "reading_high" PARTITION OF "reading" FOR VALUES FROM (100) TO (200);
ALTER TABLE "reading_high" ADD CONSTRAINT "reading_high_id_check" CHECK ("id" >= 100);
CREATE TABLE "reading_low" (
  "id" INTEGER NOT NULL,
  "value" INTEGER NOT NULL,
  CONSTRAINT "reading_value_check" CHECK ("value" > 5)
);
INSERT INTO "reading" VALUES (150, 20);
INSERT INTO "reading_low" VALUES (1, 7);
