-- expect: check-without-not-valid
SET lock_timeout = '2s';
ALTER TABLE "User" ADD CONSTRAINT "User_balance_positive" CHECK ("balance" >= 0);
