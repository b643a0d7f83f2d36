CREATE TABLE "measurement" (
  "id" INTEGER NOT NULL,
  "taken" DATE NOT NULL,
  "value" INTEGER,
  "unit" TEXT
) PARTITION BY RANGE ("taken");
CREATE TABLE "measurement_2025" PARTITION OF "measurement" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE "measurement_2024" (
  "id" INTEGER NOT NULL,
  "taken" DATE NOT NULL,
  "value" INTEGER,
  "unit" TEXT
);
CREATE INDEX "measurement_taken_idx" ON "measurement"("taken");
CREATE TABLE "reading" (
  "id" INTEGER NOT NULL,
  "kind" TEXT NOT NULL
) PARTITION BY LIST ("kind");
CREATE TABLE "reading_a" PARTITION OF "reading" FOR VALUES IN ('a');
CREATE TABLE "reading_other" PARTITION OF "reading" DEFAULT;
