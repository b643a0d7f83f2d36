CREATE TABLE "item" (
  "id" INTEGER NOT NULL,
  "price" BIGINT NOT NULL,
  "doubled" BIGINT GENERATED ALWAYS AS ("price" * 2) STORED,
  CONSTRAINT "item_pkey" PRIMARY KEY ("id")
);
