SET lock_timeout = '2s';
ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE USING INDEX "User_email_key";
ALTER TABLE "Post" ADD CONSTRAINT "Post_pkey2" PRIMARY KEY USING INDEX "Post_title_key";
