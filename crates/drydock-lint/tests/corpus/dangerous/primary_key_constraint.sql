-- expect: constraint-without-using-index
SET lock_timeout = '2s';
ALTER TABLE "Post" ADD CONSTRAINT "Post_title_key" PRIMARY KEY ("title");
