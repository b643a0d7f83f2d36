-- A column, a table and an index added; a table, a column dropped; an enum value added.
ALTER TABLE "accounts" ADD COLUMN "nickname" TEXT;
CREATE TABLE "Comment" (
    "id" SERIAL NOT NULL,
    "body" TEXT NOT NULL,
    "post_id" INTEGER NOT NULL,
    CONSTRAINT "Comment_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Comment_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "Post" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "accounts_name_idx" ON "accounts"("name");
DROP TABLE "profiles";
ALTER TABLE "Post" DROP COLUMN "published";
ALTER TYPE "roles" ADD VALUE 'guest';
-- A retyped column keeps its comments.
ALTER TABLE "accounts" ALTER COLUMN "email_address" TYPE VARCHAR(320);
