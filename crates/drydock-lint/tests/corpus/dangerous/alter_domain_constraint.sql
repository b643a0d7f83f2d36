-- expect: domain-constraint
SET lock_timeout = '2s';
ALTER DOMAIN "positive_int" ADD CONSTRAINT "positive" CHECK (VALUE > 0);
