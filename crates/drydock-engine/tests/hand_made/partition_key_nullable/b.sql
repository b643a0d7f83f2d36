CREATE TABLE "event" (
  "id" INTEGER NOT NULL,
  "code" INTEGER,
  "label" TEXT,
  "region" TEXT NOT NULL
) PARTITION BY LIST ("id");
CREATE TABLE "event_one" PARTITION OF "event" FOR VALUES IN (1);
ALTER TABLE "event_one" ADD CONSTRAINT "event_one_pkey" PRIMARY KEY ("code");
CREATE TABLE "event_two" PARTITION OF "event" FOR VALUES IN (2);
CREATE TABLE "event_more" PARTITION OF "event" FOR VALUES IN (3, 4) PARTITION BY LIST ("id");
CREATE TABLE "event_three" PARTITION OF "event_more" FOR VALUES IN (3);
ALTER TABLE "event_three" ADD CONSTRAINT "event_three_pkey" PRIMARY KEY ("code", "label");
CREATE TABLE "event_four" PARTITION OF "event_more" FOR VALUES IN (4);
