-- The table rebuild SQLite migrations use: the rows are copied before the old table goes.
SET lock_timeout = '2s';
CREATE TABLE "new_Event" ("id" integer PRIMARY KEY, "createdAt" timestamp NOT NULL);
INSERT INTO "new_Event" ("id", "createdAt") SELECT "id", "createdAt" FROM "Event";
DROP TABLE "Event";
ALTER TABLE "new_Event" RENAME TO "Event";
