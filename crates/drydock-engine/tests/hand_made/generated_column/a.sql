CREATE TABLE "line" (
  "id" INTEGER NOT NULL,
  "price" INTEGER NOT NULL,
  "quantity" INTEGER NOT NULL,
  "total" INTEGER GENERATED ALWAYS AS ("price" * "quantity") STORED,
  CONSTRAINT "line_pkey" PRIMARY KEY ("id")
);
