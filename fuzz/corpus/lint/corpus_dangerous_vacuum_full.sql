-- expect: vacuum-full
SET lock_timeout = '2s';
VACUUM FULL "Event";
