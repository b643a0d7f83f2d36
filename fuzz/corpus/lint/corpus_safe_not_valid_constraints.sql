SET lock_timeout = '2s';
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") NOT VALID;
ALTER TABLE "User" ADD CONSTRAINT "User_balance_positive" CHECK ("balance" >= 0) NOT VALID;
