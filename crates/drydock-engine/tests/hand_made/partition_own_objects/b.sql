CREATE TABLE "order" (
  "id" INTEGER NOT NULL,
  "region" TEXT NOT NULL,
  "code" TEXT,
  "qty" INTEGER
) PARTITION BY LIST ("region");
CREATE INDEX "order_qty_idx" ON "order"("qty");
CREATE TABLE "order_north" PARTITION OF "order" FOR VALUES IN ('north');
ALTER TABLE "order_north" ADD CONSTRAINT "order_north_id_pk" PRIMARY KEY ("id");
CREATE UNIQUE INDEX "order_north_code_idx" ON "order_north"("code");
ALTER TABLE "order_north" ADD CONSTRAINT "order_north_qty_check" CHECK ("qty" >= 0);
CREATE TABLE "order_south" PARTITION OF "order" FOR VALUES IN ('south');
ALTER TABLE "order_south" ADD CONSTRAINT "order_south_pkey" PRIMARY KEY ("id");
CREATE TABLE "order_east" PARTITION OF "order" FOR VALUES IN ('east');
ALTER TABLE "order_east" ADD CONSTRAINT "order_east_pkey" PRIMARY KEY ("id", "region");
ALTER TABLE "order_east" ADD CONSTRAINT "order_east_code_key" UNIQUE ("code");
CREATE INDEX "order_east_big_qty_idx" ON "order_east"("qty") WHERE "qty" > 10;
ALTER TABLE "order_east" ADD CONSTRAINT "order_east_qty_check" CHECK ("qty" < 1000);
CREATE TABLE "order_west" PARTITION OF "order" FOR VALUES IN ('west') PARTITION BY RANGE ("id");
CREATE TABLE "order_west_low" PARTITION OF "order_west" FOR VALUES FROM (0) TO (100);
ALTER TABLE "order_west_low" ADD CONSTRAINT "order_west_low_pkey" PRIMARY KEY ("id");
CREATE TABLE "order_west_high" PARTITION OF "order_west" FOR VALUES FROM (100) TO (200);
ALTER TABLE "order_west_high" ADD CONSTRAINT "order_west_high_qty_check" CHECK ("qty" > 0);
CREATE INDEX "order_west_high_code_idx" ON "order_west_high"("code");
INSERT INTO "order" VALUES (1, 'north', 'a', 1), (2, 'south', 'b', 2), (3, 'west', 'c', 3);
