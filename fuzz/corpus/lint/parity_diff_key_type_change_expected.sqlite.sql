-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_T" (
    "id" BIGINT NOT NULL PRIMARY KEY,
    "score" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_T" ("id", "score") SELECT "id", "score" FROM "T";
DROP TABLE "T";
ALTER TABLE "new_T" RENAME TO "T";
CREATE TABLE "new_C" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tId" BIGINT NOT NULL,
    CONSTRAINT "C_tId_fkey" FOREIGN KEY ("tId") REFERENCES "T" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_C" ("id", "tId") SELECT "id", "tId" FROM "C";
DROP TABLE "C";
ALTER TABLE "new_C" RENAME TO "C";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
