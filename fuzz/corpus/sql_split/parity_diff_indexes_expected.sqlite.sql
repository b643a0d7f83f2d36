-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Item" (
    "sku" TEXT NOT NULL PRIMARY KEY,
    "id" INTEGER NOT NULL,
    "a" TEXT NOT NULL,
    "b" TEXT NOT NULL,
    "c" TEXT NOT NULL
);
INSERT INTO "new_Item" ("a", "b", "c", "id", "sku") SELECT "a", "b", "c", "id", "sku" FROM "Item";
DROP TABLE "Item";
ALTER TABLE "new_Item" RENAME TO "Item";
CREATE INDEX "new_b_name" ON "Item"("b");
CREATE INDEX "Item_c_idx" ON "Item"("c");
CREATE UNIQUE INDEX "Item_a_b_key" ON "Item"("a", "b");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
