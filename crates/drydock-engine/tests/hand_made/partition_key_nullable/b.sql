CREATE TABLE "event" (
  "id" INTEGER NOT NULL,
  "code" INTEGER,
  "label" TEXT,
  "region" TEXT NOT NULL,
  CONSTRAINT "event_id_key" UNIQUE ("id")
) PARTITION BY LIST ("id");
CREATE TABLE "event_one" PARTITION OF "event" FOR VALUES IN (1);
ALTER TABLE "event_one" ADD CONSTRAINT "event_one_pkey" PRIMARY KEY ("code");
CREATE TABLE "event_two" PARTITION OF "event" FOR VALUES IN (2);
CREATE TABLE "event_more" PARTITION OF "event" FOR VALUES IN (3, 4) PARTITION BY LIST ("id");
CREATE TABLE "event_three" PARTITION OF "event_more" FOR VALUES IN (3);
ALTER TABLE "event_three" ADD CONSTRAINT "event_three_pkey" PRIMARY KEY ("code", "label");
CREATE TABLE "event_four" PARTITION OF "event_more" FOR VALUES IN (4);
CREATE TABLE "ticket" (
  "event_id" INTEGER NOT NULL,
  CONSTRAINT "ticket_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
-- Referenced rows in the partitions detached on the way.
INSERT INTO "event" VALUES (1, 10, 'one', 'north'), (3, 30, 'three', 'south');
INSERT INTO "ticket" VALUES (1), (3);
