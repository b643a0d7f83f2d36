-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_T" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "a" BIGINT NOT NULL,
    "b" INTEGER NOT NULL,
    "c" DECIMAL NOT NULL,
    "d" TEXT,
    "e" BOOLEAN NOT NULL
);
INSERT INTO "new_T" ("a", "b", "c", "d", "e", "id") SELECT "a", "b", "c", "d", "e", "id" FROM "T";
DROP TABLE "T";
ALTER TABLE "new_T" RENAME TO "T";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
