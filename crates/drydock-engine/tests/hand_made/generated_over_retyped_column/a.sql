CREATE TABLE "item" (
  "id" INTEGER NOT NULL,
  "price" INTEGER NOT NULL,
  "doubled" INTEGER GENERATED ALWAYS AS ("price" * 2) STORED,
  CONSTRAINT "item_pkey" PRIMARY KEY ("id")
);
