CREATE TABLE "parcel" (
  "id" INTEGER NOT NULL,
  "code" INTEGER,
  "label" TEXT
) PARTITION BY LIST ("id");
CREATE TABLE "parcel_more" PARTITION OF "parcel" FOR VALUES IN (1, 2) PARTITION BY LIST ("code");
CREATE TABLE "parcel_ten" PARTITION OF "parcel_more" FOR VALUES IN (10);
ALTER TABLE "parcel_ten" ADD CONSTRAINT "parcel_ten_pkey" PRIMARY KEY ("code");
CREATE TABLE "parcel_rest" PARTITION OF "parcel_more" DEFAULT;
CREATE TABLE "parcel_three" PARTITION OF "parcel" FOR VALUES IN (3);
ALTER TABLE "parcel_three" ADD CONSTRAINT "parcel_three_pkey" PRIMARY KEY ("label");
CREATE TABLE "parcel_four" PARTITION OF "parcel" FOR VALUES IN (4);
ALTER TABLE "parcel_four" ALTER COLUMN "label" SET NOT NULL;
CREATE TABLE "parcel_five" PARTITION OF "parcel" FOR VALUES IN (5);
ALTER TABLE "parcel_five" ALTER COLUMN "code" SET NOT NULL;
CREATE UNIQUE INDEX "parcel_five_code_key" ON "parcel_five"("code");
ALTER TABLE "parcel_five" REPLICA IDENTITY USING INDEX "parcel_five_code_key";
INSERT INTO "parcel" VALUES (1, 10, 'one'), (2, 20, 'two'), (3, 30, 'three');
