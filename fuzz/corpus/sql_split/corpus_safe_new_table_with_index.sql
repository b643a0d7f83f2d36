-- A table created in the same file is empty: no lock or rewrite matters.
CREATE TABLE "Comment" ("id" integer PRIMARY KEY, "postId" integer NOT NULL, "body" text);
CREATE INDEX "Comment_postId_idx" ON "Comment"("postId");
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id");
ALTER TABLE "Comment" ADD COLUMN "uid" uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE "Comment" ALTER COLUMN "body" SET NOT NULL;
