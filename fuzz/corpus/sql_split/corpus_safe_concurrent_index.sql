SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");
