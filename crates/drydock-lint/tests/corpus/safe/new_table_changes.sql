CREATE TABLE "Draft" ("id" integer PRIMARY KEY, "title" text);
ALTER TABLE "Draft" ADD COLUMN "body" TEXT NOT NULL;
ALTER TABLE "Draft" ADD CONSTRAINT "Draft_title_key" UNIQUE ("title");
ALTER TABLE "Draft" ALTER COLUMN "body" DROP NOT NULL;
CREATE INDEX "Draft_title_idx" ON "Draft"("title");
DROP INDEX "Draft_title_idx";
REINDEX TABLE "Draft";
TRUNCATE "Draft";
