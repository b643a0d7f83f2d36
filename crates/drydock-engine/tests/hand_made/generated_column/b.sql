CREATE TABLE "line" (
  "id" INTEGER NOT NULL,
  "price" INTEGER NOT NULL,
  "quantity" INTEGER NOT NULL,
  "total" INTEGER GENERATED ALWAYS AS ("price" * "quantity" + 1) STORED,
  "tax" INTEGER GENERATED ALWAYS AS ("price" / 5) STORED,
  CONSTRAINT "line_pkey" PRIMARY KEY ("id")
);
