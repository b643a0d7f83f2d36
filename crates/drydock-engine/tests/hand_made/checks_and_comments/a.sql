CREATE TABLE "product" (
  "id" INTEGER NOT NULL,
  "price" INTEGER NOT NULL,
  "stock" INTEGER NOT NULL,
  "label" TEXT,
  CONSTRAINT "product_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "product_price_check" CHECK ("price" > 0),
  CONSTRAINT "product_stock_check" CHECK ("stock" >= 0)
);
COMMENT ON TABLE "product" IS 'What we sell';
COMMENT ON COLUMN "product"."price" IS 'In cents';
COMMENT ON COLUMN "product"."label" IS 'Old label';
