-- expect: require-concurrent-index
SET lock_timeout = '2s';
CREATE INDEX "User_email_idx" ON "User"("email");
