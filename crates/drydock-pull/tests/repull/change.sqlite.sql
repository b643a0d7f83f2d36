-- A column, a table and an index added; a table, a column dropped.
ALTER TABLE "accounts" ADD COLUMN "nickname" TEXT;
CREATE TABLE "Comment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "body" TEXT NOT NULL CHECK (length("body") > 0),
    "post_id" INTEGER NOT NULL,
    CONSTRAINT "Comment_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "Post" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "accounts_name_idx" ON "accounts"("name");
DROP TABLE "profiles";
ALTER TABLE "Post" DROP COLUMN "published";
