CREATE TABLE "log" (
  "id" INTEGER NOT NULL,
  "at" INTEGER NOT NULL,
  CONSTRAINT "log_at_check" CHECK ("at" >= 0),
  CONSTRAINT "log_id_check" CHECK ("id" > 0)
) PARTITION BY RANGE ("at");
CREATE TABLE "log_p0" PARTITION OF "log" FOR VALUES FROM (0) TO (100);
CREATE TABLE "log_p1" (
  "id" INTEGER NOT NULL,
  "at" INTEGER NOT NULL,
  CONSTRAINT "log_id_check" CHECK ("id" > 0)
);
