CREATE TABLE "measurement" (
  "id" INTEGER NOT NULL,
  "taken" DATE NOT NULL,
  "value" INTEGER
) PARTITION BY RANGE ("taken");
CREATE TABLE "measurement_2024" PARTITION OF "measurement" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE "measurement_2025" (
  "id" INTEGER NOT NULL,
  "taken" DATE NOT NULL,
  "value" INTEGER
);
