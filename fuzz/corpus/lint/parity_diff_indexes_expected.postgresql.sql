-- DropIndex
DROP INDEX "Item_a_idx";

-- DropIndex
DROP INDEX "Item_c_key";

-- AlterTable
ALTER TABLE "Item" DROP CONSTRAINT "Item_pkey",
ADD CONSTRAINT "Item_pkey" PRIMARY KEY ("sku");

-- CreateIndex
CREATE INDEX "Item_c_idx" ON "Item"("c");

-- CreateIndex
CREATE UNIQUE INDEX "Item_a_b_key" ON "Item"("a", "b");

-- RenameIndex
ALTER INDEX "old_b_name" RENAME TO "new_b_name";
