CREATE TABLE "parcel" (
  "id" INTEGER NOT NULL,
  "code" INTEGER NOT NULL,
  "label" TEXT NOT NULL
) PARTITION BY LIST ("id");
CREATE TABLE "parcel_more" PARTITION OF "parcel" FOR VALUES IN (1, 2) PARTITION BY LIST ("code");
ALTER TABLE "parcel_more" ADD CONSTRAINT "parcel_more_pkey" PRIMARY KEY ("code", "id");
CREATE TABLE "parcel_ten" PARTITION OF "parcel_more" FOR VALUES IN (10);
CREATE TABLE "parcel_rest" PARTITION OF "parcel_more" DEFAULT;
CREATE TABLE "parcel_three" PARTITION OF "parcel" FOR VALUES IN (3);
CREATE TABLE "parcel_four" PARTITION OF "parcel" FOR VALUES IN (4);
CREATE TABLE "parcel_five" PARTITION OF "parcel" FOR VALUES IN (5);
CREATE UNIQUE INDEX "parcel_five_code_key" ON "parcel_five"("code");
ALTER TABLE "parcel_five" REPLICA IDENTITY USING INDEX "parcel_five_code_key";
INSERT INTO "parcel" VALUES (1, 10, 'one'), (2, 20, 'two'), (3, 30, 'three');
