-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT,
    "name" TEXT NOT NULL DEFAULT 'anonymous',
    "age" BIGINT NOT NULL,
    "nickname" TEXT,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "score" INTEGER NOT NULL
);
INSERT INTO "new_User" ("age", "email", "id", "name") SELECT "age", "email", "id", coalesce("name", 'anonymous') AS "name" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
