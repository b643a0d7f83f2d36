CREATE TABLE "product" (
  "id" INTEGER NOT NULL,
  "price" INTEGER NOT NULL,
  "stock" INTEGER NOT NULL,
  CONSTRAINT "product_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "product_price_check" CHECK ("price" >= 0)
);
ALTER TABLE "product" ADD CONSTRAINT "product_stock_limit" CHECK ("stock" < 1000000) NOT VALID;
COMMENT ON TABLE "product" IS 'What we sell, in ''shops''';
COMMENT ON COLUMN "product"."stock" IS 'Units';
CREATE TABLE "review" (
  "id" INTEGER NOT NULL,
  "stars" INTEGER NOT NULL,
  CONSTRAINT "review_stars_check" CHECK ("stars" BETWEEN 1 AND 5)
);
COMMENT ON TABLE "review" IS 'Written by customers';
