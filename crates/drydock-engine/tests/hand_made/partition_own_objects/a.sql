CREATE TABLE "order" (
  "id" INTEGER NOT NULL,
  "region" TEXT NOT NULL,
  "code" TEXT,
  "qty" INTEGER
) PARTITION BY LIST ("region");
CREATE INDEX "order_qty_idx" ON "order"("qty");
CREATE TABLE "order_north" PARTITION OF "order" FOR VALUES IN ('north');
ALTER TABLE "order_north" ADD CONSTRAINT "order_north_pkey" PRIMARY KEY ("id");
CREATE INDEX "order_north_code_idx" ON "order_north"("code");
ALTER TABLE "order_north" ADD CONSTRAINT "order_north_qty_check" CHECK ("qty" > 0);
CREATE TABLE "order_south" PARTITION OF "order" FOR VALUES IN ('south');
ALTER TABLE "order_south" ADD CONSTRAINT "order_south_code_key" UNIQUE ("code");
CREATE TABLE "order_west" PARTITION OF "order" FOR VALUES IN ('west') PARTITION BY RANGE ("id");
CREATE TABLE "order_west_low" PARTITION OF "order_west" FOR VALUES FROM (0) TO (100);
INSERT INTO "order" VALUES (1, 'north', 'a', 1), (2, 'south', 'b', 2), (3, 'west', 'c', 3);
