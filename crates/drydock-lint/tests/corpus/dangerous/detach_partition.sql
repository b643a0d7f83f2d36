-- expect: detach-partition-without-concurrently
SET lock_timeout = '2s';
ALTER TABLE "Log" DETACH PARTITION "Log_2023";
