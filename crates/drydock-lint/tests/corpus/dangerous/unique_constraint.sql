-- expect: constraint-without-using-index
SET lock_timeout = '2s';
ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE ("email");
